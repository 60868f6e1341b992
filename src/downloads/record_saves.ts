/**
 * Deferred saves of file records: thousands of small files a second must not mean as many KV
 * commits. Records are gathered for a moment and written together, with their items.
 */
import { logger } from "../log.ts";
import { messageOf } from "../wire/mod.ts";
import type { FileRecord, ItemRecord, Wishlist } from "./wishlist.ts";

const log = logger("downloads");

/** How long a change may wait before it is written. */
const SAVE_AFTER_MS = 200;

/** Gathers file records and writes them together. */
export class RecordSaves {
  readonly #wishlist: Wishlist;
  /** The record of each item whose files are saved, as it is now (undefined: it is gone). */
  readonly #itemOf: (id: string) => ItemRecord | undefined;
  readonly #queue = new Map<string, FileRecord>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(wishlist: Wishlist, itemOf: (id: string) => ItemRecord | undefined) {
    this.#wishlist = wishlist;
    this.#itemOf = itemOf;
  }

  /** Saves a copy of `file` soon, or now (resolving once written) when `now`. */
  save(file: FileRecord, now: boolean): Promise<void> {
    this.#queue.set(`${file.itemId}\u0000${file.remotePath}`, { ...file });
    if (now) return this.flush();
    this.#timer ??= setTimeout(() => {
      // a store that fails here is logged by the caller's next flush; never an unhandled rejection
      this.flush().catch((error) =>
        log.error("cannot save download progress", { error: messageOf(error) })
      );
    }, SAVE_AFTER_MS);
    return Promise.resolve();
  }

  /** Writes what waits, and the items the files belong to. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // the files of an item cancelled meanwhile are not written back
    const files = [...this.#queue.values()].filter((f) => this.#itemOf(f.itemId) !== undefined);
    this.#queue.clear();
    await this.#wishlist.putFiles(files);
    for (const id of new Set(files.map((f) => f.itemId))) {
      const item = this.#itemOf(id);
      if (item) await this.#wishlist.putItem(item);
    }
  }
}
