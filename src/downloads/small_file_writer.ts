/**
 * Writes small files on a thread of their own. A folder of small files is thousands of file
 * creations a second (open, write, close, set mtime, rename: tens of microseconds each on a fast
 * disk, milliseconds on a busy hard disk); on the event loop they would hold up every transfer.
 * Files go over in groups (a message costs a few microseconds a file), their buffers moved, not
 * copied. Where no thread can be had, files are written on the event loop.
 */
import { logger } from "../log.ts";
import { HdpError, messageOf, type Reason } from "../wire/mod.ts";
import { type WholeFile, writeWholeSync } from "./whole_file.ts";

const log = logger("downloads");

/** What the thread is sent. */
export interface WriteRequest {
  id: number;
  files: WholeFile[];
}

/** How one file's write ended: null when written. */
export type WriteOutcome = null | Reason;

/**
 * Bytes, and files, sent to the thread and not yet written, beyond which senders wait. Files are
 * counted too: each waiting file holds its paths and record, and a folder of tiny files arrives
 * far faster than files can be created (40,000 files of one byte held 100 MiB of heap waiting).
 */
const MAX_PENDING = 8 * 1024 * 1024;
const MAX_PENDING_FILES = 1024;
/** The thread (~15 MiB) stops after this long without writes; the next write starts it again. */
const IDLE_MS = 60_000;

interface Waiting {
  count: number;
  bytes: number;
  done(outcomes: WriteOutcome[]): void;
}

/** Writes small files whole, off the event loop. */
export class SmallFileWriter {
  #worker: Worker | undefined;
  #unavailable = false;
  #next = 0;
  #pendingBytes = 0;
  #pendingFiles = 0;
  readonly #waiting = new Map<number, Waiting>();
  #room: Array<() => void> = [];
  #idle: ReturnType<typeof setTimeout> | undefined;

  /**
   * Writes the files, each into its part, its mtime set, renamed into place. Resolves with one
   * outcome per file: null, or the coded error (`IO`: disk full, permission denied…).
   */
  write(files: WholeFile[]): Promise<Array<HdpError | null>> {
    const worker = this.#start();
    if (!worker) return Promise.resolve(files.map(writeHere));
    clearTimeout(this.#idle);
    const id = ++this.#next;
    const bytes = files.reduce((n, f) => n + f.data.length, 0);
    this.#pendingBytes += bytes;
    this.#pendingFiles += files.length;
    return new Promise((resolve) => {
      this.#waiting.set(id, {
        count: files.length,
        bytes,
        done: (outcomes) =>
          resolve(outcomes.map((o) => (o === null ? null : new HdpError(o.code, o.message)))),
      });
      // a buffer shared with other data is copied; one of its own is moved
      const sent = files.map((f) =>
        f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength
          ? f
          : { ...f, data: f.data.slice() }
      );
      worker.postMessage(
        { id, files: sent } satisfies WriteRequest,
        sent.map((f) => f.data.buffer as ArrayBuffer),
      );
    });
  }

  /** Starts the thread ahead of the first write (it takes some milliseconds to start). */
  warm(): void {
    this.#start();
  }

  /** Resolves when the thread has room for more (few enough bytes and files wait to be written). */
  room(): Promise<void> {
    if (this.#hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.#room.push(resolve));
  }

  /** Stops the thread once the writes sent to it are done (waiting 10 s at most). */
  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const deadline = Date.now() + 10_000;
    while (this.#waiting.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #finished(id: number, outcomes: WriteOutcome[]): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    this.#pendingBytes -= waiting.bytes;
    this.#pendingFiles -= waiting.count;
    waiting.done(outcomes);
    if (this.#hasRoom()) { for (const resolve of this.#room.splice(0)) resolve(); }
    if (this.#waiting.size === 0) {
      clearTimeout(this.#idle);
      this.#idle = setTimeout(() => this.#stopIdle(), IDLE_MS);
      Deno.unrefTimer(this.#idle);
    }
  }

  #hasRoom(): boolean {
    return this.#pendingBytes < MAX_PENDING && this.#pendingFiles < MAX_PENDING_FILES;
  }

  /** Gives the thread's memory back after a while without writes. */
  #stopIdle(): void {
    if (this.#waiting.size > 0) return;
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  #start(): Worker | undefined {
    if (this.#worker || this.#unavailable) return this.#worker;
    try {
      const worker = new Worker(new URL("./small_file_worker.ts", import.meta.url), {
        type: "module",
        name: "small file writer",
      });
      worker.onmessage = (event: MessageEvent<{ id: number; outcomes: WriteOutcome[] }>) =>
        this.#finished(event.data.id, event.data.outcomes);
      worker.onerror = (event) => {
        event.preventDefault();
        log.error("the small-file writer failed; writing on the event loop from now on", {
          error: event.message,
        });
        this.#unavailable = true;
        this.#worker = undefined;
        worker.terminate();
        // what it had not answered counts as not written: those files are fetched again
        for (const [id, { count }] of this.#waiting) {
          this.#finished(
            id,
            Array(count).fill({ code: "UNAVAILABLE", message: "The small-file writer stopped" }),
          );
        }
      };
      this.#worker = worker;
    } catch (error) {
      log.warn("no thread for writing small files; writing them on the event loop", {
        error: messageOf(error),
      });
      this.#unavailable = true;
    }
    return this.#worker;
  }
}

function writeHere(file: WholeFile): HdpError | null {
  try {
    writeWholeSync(file);
    return null;
  } catch (error) {
    return error instanceof HdpError ? error : new HdpError("IO", messageOf(error));
  }
}
