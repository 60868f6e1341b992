/**
 * Writes the state journal a few seconds after a change (at most once per such delay, however many
 * changes come: never on every progress tick) and once more at a clean stop. Each write is atomic:
 * a temp file, fsync, rename; a failed write leaves the last good journal in place.
 */
import { logger } from "../log.ts";
import type { NodeEvent } from "./events.ts";
import { encodeJournal, type Journal } from "./state_journal.ts";
import { messageOf } from "../wire/mod.ts";

const log = logger("state");

/** How long after a change the journal is written. */
export const JOURNAL_DELAY_MS = 3_000;

/** Options of {@link JournalWriter}. */
export interface JournalWriterOptions {
  /** Delay between a change and the write. Default {@link JOURNAL_DELAY_MS}. */
  delayMs?: number;
}

/** Keeps the journal file up to date with what `read` returns. */
export class JournalWriter {
  readonly #path: string;
  readonly #read: () => Promise<Journal>;
  readonly #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string, read: () => Promise<Journal>, options: JournalWriterOptions = {}) {
    this.#path = path;
    this.#read = read;
    this.#delayMs = options.delayMs ?? JOURNAL_DELAY_MS;
  }

  /** Notes a change: the journal is written within the delay. */
  changed(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.write();
    }, this.#delayMs);
  }

  /** Writes now (after a write under way); never throws: a failure is logged. */
  write(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#writeOnce());
    return this.#writing;
  }

  /** Writes a last time (a clean stop) and stops listening for changes. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.write();
  }

  async #writeOnce(): Promise<void> {
    const temp = `${this.#path}.${crypto.randomUUID()}.tmp`;
    try {
      const bytes = new TextEncoder().encode(encodeJournal(await this.#read()));
      {
        using file = await Deno.open(temp, { write: true, createNew: true });
        let offset = 0;
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
        await file.sync(); // the rename must not land before the bytes it names
      }
      await Deno.rename(temp, this.#path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      log.warn("cannot write the state backup; the last one is kept", {
        file: this.#path,
        reason: messageOf(error),
      });
    }
  }
}

/**
 * Tells whether an event changes what the journal holds: an item added, removed, or moved to
 * another state or place in the queue, and any change of a peer; not the progress of a download.
 * `seen` remembers each item's last state and place.
 */
export function changesJournal(event: NodeEvent, seen: Map<string, string>): boolean {
  switch (event.type) {
    case "download": {
      const { id, state, queuePosition } = event.item;
      const mark = `${state}:${queuePosition ?? ""}`;
      if (seen.get(id) === mark) return false;
      seen.set(id, mark);
      return true;
    }
    case "download-removed":
      seen.delete(event.id);
      return true;
    case "peer":
    case "peer-removed":
      return true;
    default:
      return false;
  }
}
