/**
 * Listing a requested folder (or file) at the peer into the wishlist, a page at a time: its files
 * can be fetched while later pages still arrive, and a listing cut off (the peer left, a restart)
 * continues after the last page stored.
 */
import { logger } from "../log.ts";
import { type LsEntry, reasonOf } from "../wire/mod.ts";
import { localSegments } from "./local_path.ts";
import type { FileRecord, ItemRecord, Wishlist } from "./wishlist.ts";

const log = logger("downloads");

/** A page of a listing: its entries, and where the listing continues after it. */
export interface ListPage {
  entries: LsEntry[];
  cursor?: string;
}

/** What one page adds to an item. */
export type ListedCounts = Pick<ItemRecord, "files" | "bytes" | "filesFailed" | "isDir"> & {
  listed: number;
};

/**
 * The files of one page below `item.path`, numbered on from the item's `listed`, and the item's
 * counts with them. A name this platform cannot save is a failed file from the start.
 */
export function filesOfPage(
  item: ItemRecord,
  entries: readonly LsEntry[],
): { files: FileRecord[]; counts: ListedCounts } {
  const counts: ListedCounts = {
    listed: item.listed ?? 0,
    files: item.files,
    bytes: item.bytes,
    filesFailed: item.filesFailed,
    isDir: item.isDir,
  };
  const files: FileRecord[] = [];
  for (const entry of entries) {
    if (entry.isDir) continue;
    if (entry.name === item.path) counts.isDir = false;
    else if (entry.name.startsWith(item.path + "/")) counts.isDir = true;
    else continue; // not below the path: a/bc is not in a/b
    const file: FileRecord = {
      itemId: item.id,
      seq: counts.listed++,
      remotePath: entry.name,
      size: entry.size,
      mtime: entry.mtime,
      state: "queued",
    };
    try {
      localSegments(item.peer.name, entry.name);
    } catch (error) {
      file.state = "failed";
      file.problem = reasonOf(error);
      counts.filesFailed++;
      log.warn("refused a file name from a peer", {
        peer: item.peer.name,
        reason: file.problem.message,
      });
    }
    files.push(file);
    counts.files++;
    counts.bytes += entry.size;
  }
  return { files, counts };
}

/**
 * Stores the pages of a listing of `item` (changed in place) with their files, each page and the
 * item's place in the listing in one commit: a crash between two pages neither loses nor repeats
 * a file. `onPage` hears each page once stored.
 */
export async function listInto(
  item: ItemRecord,
  pages: AsyncIterable<ListPage>,
  options: { wishlist: Wishlist; onPage: () => void; signal?: AbortSignal },
): Promise<void> {
  for await (const page of pages) {
    if (options.signal?.aborted) return; // cancelled: nothing more is stored for it
    const { files, counts } = filesOfPage(item, page.entries);
    const saved: ItemRecord = { ...item, ...counts };
    if (page.cursor === undefined) {
      // the last page: the item is complete with it, in the same commit
      delete saved.listCursor;
      saved.expanded = true;
    } else {
      saved.listCursor = page.cursor;
    }
    if (saved.state === "queued" && files.length > 0) saved.state = "downloading";
    await options.wishlist.putListed(saved, files);
    Object.assign(item, counts, { expanded: saved.expanded });
    if (files.length > 0 && item.state === "queued") item.state = "downloading";
    if (saved.listCursor === undefined) delete item.listCursor;
    else item.listCursor = saved.listCursor;
    options.onPage();
  }
  if (options.signal?.aborted) return;
  item.expanded = true;
  delete item.listCursor;
  if (item.state === "queued") item.state = "downloading";
  await options.wishlist.putItem(item);
}
