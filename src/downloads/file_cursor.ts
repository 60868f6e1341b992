/**
 * Which file of an item is fetched next: files are loaded from the wishlist a page at a time in
 * listing order while the listing may still be arriving; files handed back (interrupted, or to be
 * read alone) go before the rest.
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
  /** The `seq` of the last file loaded. */
  #after: number | undefined;
  #exhausted = false;

  constructor(source: FileSource) {
    this.#source = source;
  }

  /** True when no file is left to hand out, now or later. */
  get done(): boolean {
    return this.#again.length === 0 && this.#pending.length === 0 && this.#exhausted;
  }

  /** True while files handed back wait to be fetched again. */
  get hasAgain(): boolean {
    return this.#again.length > 0;
  }

  /** The next file without taking it; undefined when none is there (yet). */
  async peek(): Promise<FileRecord | undefined> {
    if (this.#again.length > 0) return this.#again[0];
    await this.#fill();
    return this.#pending[0];
  }

  /** Takes the next file. */
  async next(): Promise<FileRecord | undefined> {
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

  /** Forgets what was loaded: the wishlist is read again from the first file (after a retry). */
  rewind(): void {
    this.#pending = [];
    this.#after = undefined;
    this.#exhausted = false;
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
