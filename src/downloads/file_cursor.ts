/**
 * Which file of an item is fetched next: files are loaded from the wishlist a page at a time in
 * listing order while the listing may still be arriving; files handed back (interrupted, or to be
 * read alone) go before the rest; files put off (the peer does not have them yet) wait until due.
 */
import { SMALL_FILE_BYTES } from "../wire/mod.ts";
import { BATCH_BYTES, BATCH_FILES, BATCH_PATH_CHARS } from "./constants.ts";
import type { FileRecord } from "./wishlist.ts";

/** How the cursor reads the wishlist. */
export interface FileSource {
  /** The item's files after `after` (a `seq`; all when undefined), in listing order. */
  files(after: number | undefined, limit: number): Promise<FileRecord[]>;
  /** Whether every file of the item is stored (read before a page is loaded). */
  complete(): boolean;
  /** The time, ms since the epoch (tests pass their own). Default `Date.now`. */
  now?: () => number;
}

/** Files loaded from the wishlist at a time. */
const PAGE = 500;

/** The next files of one item. */
export class FileCursor {
  readonly #source: FileSource;
  /** Files to fetch next, loaded from the wishlist a page at a time. */
  #pending: FileRecord[] = [];
  /** Files to fetch before `pending` (interrupted ones). */
  #again: FileRecord[] = [];
  /** Files put off, each until its time, earliest first. */
  #later: Array<{ file: FileRecord; dueAt: number }> = [];
  /** The `seq` of the last file loaded. */
  #after: number | undefined;
  #exhausted = false;

  constructor(source: FileSource) {
    this.#source = source;
  }

  /** True when no file is left to hand out, now or later. */
  get done(): boolean {
    return this.#again.length === 0 && this.#pending.length === 0 && this.#later.length === 0 &&
      this.#exhausted;
  }

  /** When the first file put off is due, ms since the epoch; undefined when none waits. */
  get nextDue(): number | undefined {
    return this.#later[0]?.dueAt;
  }

  /** True while files handed back wait to be fetched again. */
  get hasAgain(): boolean {
    return this.#again.length > 0;
  }

  /** The next file without taking it; undefined when none is there (yet). */
  async peek(): Promise<FileRecord | undefined> {
    this.#takeDue();
    if (this.#again.length > 0) return this.#again[0];
    await this.#fill();
    return this.#pending[0];
  }

  /** Takes the next file. */
  async next(): Promise<FileRecord | undefined> {
    this.#takeDue();
    if (this.#again.length > 0) return this.#again.shift();
    await this.#fill();
    return this.#pending.shift();
  }

  /**
   * The next small files, as many as a batch takes (at least one when the next is small), stopping
   * before a file that `skip` keeps out of a batch.
   */
  async takeBatch(skip: (file: FileRecord) => boolean): Promise<FileRecord[]> {
    const files: FileRecord[] = [];
    let bytes = 0;
    let chars = 0;
    while (files.length < BATCH_FILES && bytes < BATCH_BYTES && chars < BATCH_PATH_CHARS) {
      const next = await this.peek();
      if (!next || next.size > SMALL_FILE_BYTES || skip(next)) break;
      files.push((await this.next())!);
      bytes += next.size;
      chars += next.remotePath.length;
    }
    return files;
  }

  /** Hands files back: they are fetched next, in the order given. */
  again(...files: FileRecord[]): void {
    this.#again.unshift(...files);
  }

  /** Puts a file off until `dueAt` (ms since the epoch): then it is fetched next. */
  later(file: FileRecord, dueAt: number): void {
    this.#later.push({ file, dueAt });
    this.#later.sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Forgets what was loaded: the wishlist is read again from the first file (after a retry). */
  rewind(): void {
    this.#later = []; // queued files all: they are read again with the rest
    this.#pending = [];
    this.#after = undefined;
    this.#exhausted = false;
  }

  #takeDue(): void {
    const now = (this.#source.now ?? Date.now)();
    while (this.#later.length > 0 && this.#later[0]!.dueAt <= now) {
      this.#again.push(this.#later.shift()!.file);
    }
  }

  async #fill(): Promise<void> {
    while (this.#pending.length === 0 && !this.#exhausted) {
      // read before the query: files stored by then are all in the answer
      const complete = this.#source.complete();
      const page = await this.#source.files(this.#after, PAGE);
      if (page.length > 0) this.#after = page.at(-1)!.seq;
      this.#pending.push(...page.filter((f) => f.state === "queued"));
      if (page.length < PAGE) {
        if (complete) this.#exhausted = true;
        else break; // more come as the listing goes on
      }
    }
  }
}
