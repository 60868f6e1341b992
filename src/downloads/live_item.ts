/** A requested item while the node runs: its record, its next files and what is under way. */
import type { TransferKind } from "./admission.ts";
import { FileCursor } from "./file_cursor.ts";
import { Progress } from "./progress.ts";
import type { FileRecord, ItemRecord, Wishlist } from "./wishlist.ts";

/** A file being fetched, or a batch of small files (see {@link TransferKind}). */
export interface Transfer {
  kind: TransferKind;
  abort: AbortController;
  /** Bytes received of an unfinished file (not counted for batches: their files are small). */
  received: number;
  /** Where the file's read began (the length of its part). */
  offset: number;
  /** Settles once the transfer has ended and written its last byte. */
  ended?: Promise<unknown>;
}

/** One item of the queue. */
export interface LiveItem {
  record: ItemRecord;
  files: FileCursor;
  active: Set<Transfer>;
  /** True while its listing runs. */
  listing: boolean;
  /** Stops the listing under way, and resolves once it stopped. */
  stopListing?: () => Promise<void>;
  /** Place in the peer's upload queue, while it makes us wait. */
  remotePosition?: number;
  progress: Progress;
  /** Tries of files the peer said it did not have (`NOT_FOUND`), by `seq`. */
  notFound: Map<number, number>;
  /** Tries of the listing the peer said it did not have, and when the next may start. */
  listing404: { tries: number; notBefore: number };
}

/** A live item for a record, reading its files from the wishlist. */
export function liveItem(record: ItemRecord, wishlist: Wishlist): LiveItem {
  return {
    record,
    files: new FileCursor({
      files: (after, limit) =>
        wishlist.files(record.id, { ...(after !== undefined ? { after } : {}), limit }),
      complete: () => record.expanded,
    }),
    active: new Set(),
    listing: false,
    progress: new Progress(),
    notFound: new Map(),
    listing404: { tries: 0, notBefore: 0 },
  };
}

/** Bytes of the files under way: their parts and what arrived since. */
export function inFlight(live: LiveItem): number {
  let bytes = 0;
  for (const t of live.active) bytes += t.offset + t.received;
  return bytes;
}

/** The local path a file is written to (before any numbered name is chosen). */
export function targetOf(item: ItemRecord, file: FileRecord): string {
  return file.localRel ?? `${item.peer.name}/${file.remotePath}`;
}

/** A new transfer of `kind`, added to the item's active ones. */
export function beginTransfer(live: LiveItem, kind: TransferKind): Transfer {
  const transfer: Transfer = { kind, abort: new AbortController(), received: 0, offset: 0 };
  live.active.add(transfer);
  if (live.record.state === "queued") live.record.state = "downloading";
  return transfer;
}
