/**
 * The public face of src/downloads/: the download queue, the wishlist and history, uploads and
 * upload slots.
 */
export { Downloads } from "./downloads.ts";
export { History } from "./history.ts";
export { ORPHANED_DIR, sweepOrphanParts } from "./orphan_parts.ts";
export type { PeerAccess } from "./peer_access.ts";
export { DOWNLOAD_ACTIONS, DOWNLOAD_STATES } from "./types.ts";
export type {
  DownloadAction,
  DownloadItem,
  DownloadState,
  HistoryEntry,
  PeerRef,
  UploadInfo,
} from "./types.ts";
export { UploadSlots } from "./upload_slots.ts";
export { newItem, Wishlist } from "./wishlist.ts";
export type { ItemRecord } from "./wishlist.ts";
export { JOURNAL_MAX_ITEMS, parseItemRecord } from "./wishlist_journal.ts";
export { Uploads } from "./uploads.ts";
