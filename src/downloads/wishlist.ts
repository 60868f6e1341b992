/**
 * The wishlist in Deno KV: every requested item and each of its files with its state, so that
 * downloads survive restarts and continue by themselves when the peer is back.
 *
 *   ["dl", "item", id]            → ItemRecord
 *   ["dl", "files", id, seq]      → FileRecord, in the order the peer listed them
 *
 * Files are keyed by their place in the listing, so that files can be fetched while the listing
 * still arrives: new ones always come after those already handed out. (Before, they were keyed
 * by remote path under "file"; {@link Wishlist.open} moves such records.)
 */
import type { ErrorCode, Reason } from "../wire/mod.ts";
import type { DownloadItem, PeerRef } from "./types.ts";
import { journalItems, restoredItem } from "./wishlist_journal.ts";

/** A requested file or folder: what the API shows of it, and the queue's own bookkeeping. */
export interface ItemRecord extends
  Pick<
    DownloadItem,
    | "id"
    | "peer"
    | "path"
    | "isDir"
    | "state"
    | "problem"
    | "createdAt"
    | "finishedAt"
    | "files"
    | "filesDone"
    | "bytes"
    | "localPath"
  > {
  /** Queue order: smaller goes first; move-to-front makes it the smallest. */
  order: number;
  /** True once all its files are in the wishlist. */
  expanded: boolean;
  /** Files stored so far: the next file's `seq`. */
  listed?: number;
  /** Where the peer's listing continues (its `Ls` cursor) when it was cut off. */
  listCursor?: string;
  filesFailed: number;
  /** The code of the first file that failed since the item was (re)started. */
  failedWith?: ErrorCode;
  /**
   * Bytes in the part files of interrupted files (by `seq`), so that a paused item or one whose
   * peer is away shows what is on disk. A file being fetched is not here: its transfer counts it.
   */
  parts?: Record<number, number>;
  /** Bytes of the files that are done. */
  bytesDone: number;
}

/** A new item for `path` of `peer` (its local segments: peer name first), not yet ordered. */
export function newItem(peer: PeerRef, segments: readonly string[]): ItemRecord {
  return {
    id: crypto.randomUUID(),
    peer,
    path: segments.slice(1).join("/"),
    isDir: false,
    state: "queued",
    createdAt: Date.now(),
    order: 0,
    expanded: false,
    files: 0,
    filesDone: 0,
    filesFailed: 0,
    bytes: 0,
    bytesDone: 0,
    localPath: segments.join("/"),
  };
}

/** The states of one file of an item. */
export type FileState = "queued" | "done" | "failed";

/** One file of an item. */
export interface FileRecord {
  itemId: string;
  /** Its place in the item's listing, from 0. */
  seq: number;
  /** The path at the peer. */
  remotePath: string;
  size: number;
  mtime: number;
  state: FileState;
  /** Why it failed. */
  problem?: Reason;
  /** Where it is saved, relative to the download dir, once decided (it may get a suffix). */
  localRel?: string;
  /** The remote version the `.part` file holds bytes of: another version starts over. */
  expected?: { size: number; mtime: number };
}

const BATCH = 500;

/** Reads and writes the wishlist. */
export class Wishlist {
  readonly #kv: Deno.Kv;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Opens the wishlist, moving records of the older layout over first. */
  static async open(kv: Deno.Kv): Promise<Wishlist> {
    const wishlist = new Wishlist(kv);
    await wishlist.#migrate();
    return wishlist;
  }

  async #migrate(): Promise<void> {
    const old = this.#kv.list<Omit<FileRecord, "seq">>({ prefix: ["dl", "file"] });
    const seqs = new Map<string, number>();
    let op = this.#kv.atomic();
    let count = 0;
    const expanded = new Map<string, boolean>();
    for await (const { key, value } of old) {
      if (!expanded.has(value.itemId)) {
        const item = await this.#kv.get<ItemRecord>(["dl", "item", value.itemId]);
        expanded.set(value.itemId, item.value?.expanded ?? false);
      }
      op.delete(key);
      // an item listed only in part is listed again from the start
      if (expanded.get(value.itemId)) {
        const seq = seqs.get(value.itemId) ?? 0;
        seqs.set(value.itemId, seq + 1);
        op.set(["dl", "files", value.itemId, seq], { ...value, seq });
      }
      if (++count % (BATCH / 2) === 0) {
        await op.commit();
        op = this.#kv.atomic();
      }
    }
    for (const [id, listed] of seqs) {
      const item = await this.#kv.get<ItemRecord>(["dl", "item", id]);
      if (item.value) op.set(item.key, { ...item.value, listed });
    }
    await op.commit();
  }

  /** Every item. */
  async items(): Promise<ItemRecord[]> {
    const entries = await Array.fromAsync(this.#kv.list<ItemRecord>({ prefix: ["dl", "item"] }));
    return entries.map((e) => withProblem(e.value));
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
        op.set(["dl", "files", file.itemId, file.seq], file);
      }
      await op.commit();
    }
  }

  /**
   * Saves newly listed files (at most 500) and their item together: the item's `listed` and
   * `listCursor` always say exactly which files are stored.
   */
  async putListed(item: ItemRecord, files: readonly FileRecord[]): Promise<void> {
    if (files.length > BATCH) throw new RangeError("too many files for one commit");
    const op = this.#kv.atomic();
    for (const file of files) op.set(["dl", "files", file.itemId, file.seq], file);
    op.set(["dl", "item", item.id], item);
    await op.commit();
  }

  /** An item's files in listing order, from after `after` (a `seq`), at most `limit`. */
  async files(
    itemId: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<FileRecord[]> {
    const selector: Deno.KvListSelector = options.after === undefined
      ? { prefix: ["dl", "files", itemId] }
      : { prefix: ["dl", "files", itemId], start: ["dl", "files", itemId, options.after + 1] };
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
    for await (const { value } of this.#kv.list<FileRecord>({ prefix: ["dl", "files", itemId] })) {
      yield value;
    }
  }

  /** Queues an item's failed files again. */
  async requeueFailed(itemId: string): Promise<void> {
    const retried: FileRecord[] = [];
    for await (const file of this.allFiles(itemId)) {
      if (file.state !== "failed") continue;
      file.state = "queued";
      delete file.problem;
      retried.push(file);
    }
    await this.putFiles(retried);
  }

  /**
   * The items to keep in the state journal (see wishlist_journal.ts): unfinished ones first, then
   * the newest, at most `limit`; `left` counts those left out.
   */
  async exportItems(
    options: { limit?: number } = {},
  ): Promise<{ items: ItemRecord[]; left: number }> {
    return journalItems(await this.items(), options.limit);
  }

  /**
   * Puts items read back from the state journal into this (fresh) store, as restored items:
   * unfinished folders are listed again from the peer (see {@link restoredItem}).
   */
  async importItems(items: readonly ItemRecord[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH) {
      const op = this.#kv.atomic();
      for (const item of items.slice(i, i + BATCH)) {
        op.set(["dl", "item", item.id], restoredItem(item));
      }
      await op.commit();
    }
  }

  /** Removes an item and its files. */
  async deleteItem(id: string): Promise<void> {
    let op = this.#kv.atomic();
    let count = 0;
    for await (const { key } of this.#kv.list({ prefix: ["dl", "files", id] })) {
      op.delete(key);
      if (++count % BATCH === 0) {
        await op.commit();
        op = this.#kv.atomic();
      }
    }
    op.delete(["dl", "item", id]);
    await op.commit();
  }
}

/**
 * An item saved before reasons had codes kept its reason as text: only the node pauses for a disk
 * it cannot write (`IO`); a pause by the user needs no reason.
 */
function withProblem(item: ItemRecord & { reason?: unknown }): ItemRecord {
  if (typeof item.reason !== "string") return item;
  const { reason, ...rest } = item;
  if (reason === "paused" || item.state === "done") return rest;
  return {
    ...rest,
    problem: { code: item.state === "paused" ? "IO" : "INTERNAL", message: reason },
  };
}
