/**
 * The wishlist in Deno KV: every requested item and each of its files with its state, so that
 * downloads survive restarts and continue by themselves when the peer is back.
 *
 *   ["dl", "item", id]              → ItemRecord
 *   ["dl", "file", id, remotePath]  → FileRecord
 *   ["dl", "history", time, id]     → HistoryEntry
 */
import type { DownloadItem, HistoryEntry } from "./types.ts";

/** A requested file or folder: what the API shows of it, and the queue's own bookkeeping. */
export interface ItemRecord extends
  Pick<
    DownloadItem,
    | "id"
    | "peer"
    | "path"
    | "isDir"
    | "state"
    | "reason"
    | "createdAt"
    | "finishedAt"
    | "files"
    | "filesDone"
    | "bytes"
    | "localPath"
  > {
  /** Queue order: smaller goes first; move-to-front makes it the smallest. */
  order: number;
  /** True once its files are in the wishlist. */
  expanded: boolean;
  filesFailed: number;
  /** Bytes of the files that are done. */
  bytesDone: number;
}

/** The states of one file of an item. */
export type FileState = "queued" | "done" | "failed";

/** One file of an item. */
export interface FileRecord {
  itemId: string;
  /** The path at the peer. */
  remotePath: string;
  size: number;
  mtime: number;
  state: FileState;
  reason?: string;
  /** Where it is saved, relative to the download dir, once decided (it may get a suffix). */
  localRel?: string;
  /** The remote version the `.part` file holds bytes of: another version starts over. */
  expected?: { size: number; mtime: number };
}

const MAX_HISTORY = 1000;
const BATCH = 500;

/** Reads and writes the wishlist. */
export class Wishlist {
  readonly #kv: Deno.Kv;
  readonly #historyBuffer: HistoryEntry[] = [];
  #historyTimer: ReturnType<typeof setTimeout> | undefined;
  #historyCount: number | undefined;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Every item. */
  async items(): Promise<ItemRecord[]> {
    return (await Array.fromAsync(this.#kv.list<ItemRecord>({ prefix: ["dl", "item"] }))).map((e) =>
      e.value
    );
  }

  /** Saves an item. */
  async putItem(item: ItemRecord): Promise<void> {
    await this.#kv.set(["dl", "item", item.id], item);
  }

  /** Saves files, in batches that fit a KV commit. */
  async putFiles(files: readonly FileRecord[]): Promise<void> {
    for (let i = 0; i < files.length; i += BATCH) {
      const op = this.#kv.atomic();
      for (const file of files.slice(i, i + BATCH)) {
        op.set(["dl", "file", file.itemId, file.remotePath], file);
      }
      await op.commit();
    }
  }

  /** Saves one file. */
  async putFile(file: FileRecord): Promise<void> {
    await this.#kv.set(["dl", "file", file.itemId, file.remotePath], file);
  }

  /** An item's files in path order, from after `after` (a remote path), at most `limit`. */
  async files(
    itemId: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<FileRecord[]> {
    const selector: Deno.KvListSelector = options.after === undefined
      ? { prefix: ["dl", "file", itemId] }
      : { prefix: ["dl", "file", itemId], start: ["dl", "file", itemId, options.after + "\u0000"] };
    const out: FileRecord[] = [];
    for await (
      const { value } of this.#kv.list<FileRecord>(selector, { limit: options.limit ?? 1000 })
    ) {
      out.push(value);
    }
    return out;
  }

  /** Every file of an item, a batch at a time. */
  async *allFiles(itemId: string): AsyncGenerator<FileRecord> {
    for await (const { value } of this.#kv.list<FileRecord>({ prefix: ["dl", "file", itemId] })) {
      yield value;
    }
  }

  /** Removes an item and its files. */
  async deleteItem(id: string): Promise<void> {
    let op = this.#kv.atomic();
    let count = 0;
    for await (const { key } of this.#kv.list({ prefix: ["dl", "file", id] })) {
      op.delete(key);
      if (++count % BATCH === 0) {
        await op.commit();
        op = this.#kv.atomic();
      }
    }
    op.delete(["dl", "item", id]);
    await op.commit();
  }

  /**
   * Adds to the history. Writes are buffered and committed together once a second (a busy node
   * may finish thousands of small uploads a second); the newest {@link MAX_HISTORY} are kept.
   */
  addHistory(entry: HistoryEntry): void {
    this.#historyBuffer.push(entry);
    this.#historyTimer ??= setTimeout(() => {
      this.flushHistory().catch((error) =>
        console.error("cannot save the transfer history:", error)
      );
    }, 1000);
  }

  /** Commits buffered history entries and trims the oldest. */
  async flushHistory(): Promise<void> {
    if (this.#historyTimer !== undefined) clearTimeout(this.#historyTimer);
    this.#historyTimer = undefined;
    const entries = this.#historyBuffer.splice(0);
    for (let i = 0; i < entries.length; i += BATCH) {
      const op = this.#kv.atomic();
      for (const entry of entries.slice(i, i + BATCH)) {
        op.set(["dl", "history", entry.at, crypto.randomUUID()], entry);
      }
      await op.commit();
    }
    this.#historyCount ??=
      (await Array.fromAsync(this.#kv.list({ prefix: ["dl", "history"] }))).length - entries.length;
    this.#historyCount += entries.length;
    if (this.#historyCount > MAX_HISTORY + BATCH) {
      const old = this.#kv.list({ prefix: ["dl", "history"] }, {
        limit: this.#historyCount - MAX_HISTORY,
      });
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
      this.#historyCount = MAX_HISTORY;
    }
  }

  /** The history, newest first. */
  async history(limit = MAX_HISTORY): Promise<HistoryEntry[]> {
    const entries = this.#kv.list<HistoryEntry>({ prefix: ["dl", "history"] }, {
      reverse: true,
      limit,
    });
    return (await Array.fromAsync(entries)).map((e) => e.value);
  }
}
