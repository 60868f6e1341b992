/**
 * The history of finished transfers, both ways, in Deno KV:
 *
 *   ["dl", "history", time, id]   → HistoryEntry
 *
 * Downloads and uploads each add to it; neither needs the other.
 */
import { logger } from "../log.ts";
import { messageOf } from "../wire/mod.ts";
import type { HistoryEntry } from "./types.ts";

const log = logger("history");

/** Entries kept: the oldest go beyond this (a little later, in one go). */
const MAX_HISTORY = 1000;
const BATCH = 500;

/** Where finished transfers are recorded. */
export interface HistoryLog {
  add(entry: HistoryEntry): void;
}

/** The history store. */
export class History implements HistoryLog {
  readonly #kv: Deno.Kv;
  readonly #buffer: HistoryEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #count: number | undefined;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Adds an entry. Writes are buffered and committed together once a second (a busy node may
   * finish thousands of small uploads a second); the newest {@link MAX_HISTORY} are kept.
   */
  add(entry: HistoryEntry): void {
    this.#buffer.push(entry);
    this.#timer ??= setTimeout(() => {
      this.flush().catch((error) =>
        log.error("cannot save the transfer history", { error: messageOf(error) })
      );
    }, 1000);
  }

  /** Commits buffered entries and trims the oldest. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = this.#buffer.splice(0);
    for (let i = 0; i < entries.length; i += BATCH) {
      const op = this.#kv.atomic();
      for (const entry of entries.slice(i, i + BATCH)) {
        op.set(["dl", "history", entry.at, crypto.randomUUID()], entry);
      }
      await op.commit();
    }
    this.#count ??= (await Array.fromAsync(this.#kv.list({ prefix: ["dl", "history"] }))).length -
      entries.length;
    this.#count += entries.length;
    if (this.#count > MAX_HISTORY + BATCH) await this.#trim(this.#count - MAX_HISTORY);
  }

  /** The history, newest first (what is buffered included). */
  async list(limit = MAX_HISTORY): Promise<HistoryEntry[]> {
    await this.flush();
    const entries = this.#kv.list<HistoryEntry>({ prefix: ["dl", "history"] }, {
      reverse: true,
      limit,
    });
    return (await Array.fromAsync(entries)).map((e) => e.value);
  }

  async #trim(oldest: number): Promise<void> {
    const old = this.#kv.list({ prefix: ["dl", "history"] }, { limit: oldest });
    let op = this.#kv.atomic();
    let count = 0;
    for await (const { key } of old) {
      op.delete(key);
      if (++count % BATCH === 0) {
        await op.commit();
        op = this.#kv.atomic();
      }
    }
    await op.commit();
    this.#count = MAX_HISTORY;
  }
}
