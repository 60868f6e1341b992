/**
 * Download items as the state journal keeps them (`state-backup.json`, beside `state.kv`): which
 * items are kept when there are too many, how a kept one is checked when it is read back, and
 * what it becomes in a fresh store. Only items are kept, never their per-file records (a folder
 * can have millions): a restored folder is listed again from the peer.
 */
import { hdpError, isErrorCode, type Reason } from "../wire/mod.ts";
import { localSegments } from "./local_path.ts";
import type { DownloadState } from "./types.ts";
import type { ItemRecord } from "./wishlist.ts";

/** Items the journal keeps at most. */
export const JOURNAL_MAX_ITEMS = 10_000;

const STATES: readonly DownloadState[] = ["queued", "downloading", "paused", "done", "failed"];

/** The items to journal: unfinished ones first, then the newest; `left` counts those left out. */
export function journalItems(
  items: readonly ItemRecord[],
  limit: number = JOURNAL_MAX_ITEMS,
): { items: ItemRecord[]; left: number } {
  const rank = (item: ItemRecord) => (item.state === "done" ? 1 : 0);
  const sorted = [...items].sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
  const kept = sorted.slice(0, limit).sort((a, b) => a.order - b.order);
  return { items: kept, left: sorted.length - kept.length };
}

/**
 * An item read back from the journal, checked field by field (it is only a file on disk); throws
 * `BAD_REQUEST` naming what is wrong.
 */
export function parseItemRecord(value: unknown): ItemRecord {
  if (typeof value !== "object" || value === null) throw bad("an item is not an object");
  const v = value as Record<string, unknown>;
  const peer = v.peer as Record<string, unknown> | null | undefined;
  if (typeof v.id !== "string" || v.id === "") throw bad("an item has no id");
  if (typeof peer !== "object" || peer === null) throw bad(`item ${v.id} has no peer`);
  if (typeof peer.keyHex !== "string" || !/^[0-9a-f]{64}$/.test(peer.keyHex)) {
    throw bad(`item ${v.id} has no peer key`);
  }
  if (typeof peer.name !== "string" || typeof v.path !== "string") {
    throw bad(`item ${v.id} has no peer name or path`);
  }
  if (!STATES.includes(v.state as DownloadState)) throw bad(`item ${v.id} has no known state`);
  for (const field of ["order", "createdAt", "files", "filesDone", "bytes", "bytesDone"]) {
    if (!Number.isFinite(v[field])) throw bad(`item ${v.id} has no ${field}`);
  }
  if (v.finishedAt !== undefined && !Number.isFinite(v.finishedAt)) {
    throw bad(`item ${v.id} has a finishedAt that is not a time`);
  }
  const item: ItemRecord = {
    id: v.id,
    peer: { keyHex: peer.keyHex, name: peer.name },
    path: v.path,
    isDir: v.isDir === true,
    state: v.state as DownloadState,
    createdAt: v.createdAt as number,
    order: v.order as number,
    expanded: v.expanded === true,
    files: v.files as number,
    filesDone: v.filesDone as number,
    filesFailed: Number.isFinite(v.filesFailed) ? v.filesFailed as number : 0,
    bytes: v.bytes as number,
    bytesDone: v.bytesDone as number,
    // Where it is saved follows from the peer's name and the path, as when it was added: a
    // journal cannot point a download elsewhere (and a name the platform refuses is refused).
    localPath: localSegments(peer.name, v.path).join("/"),
  };
  if (v.finishedAt !== undefined) item.finishedAt = v.finishedAt as number;
  if (isReason(v.problem)) item.problem = { code: v.problem.code, message: v.problem.message };
  return item;
}

/**
 * What a journalled item becomes in a fresh store. A finished item stays as it was. An unfinished
 * one is listed again from the peer (its per-file records were not kept): `expanded` false and its
 * counts reset; its `.part` files are adopted, but their versions were not kept either, so each
 * file starts over from its first byte (file_transfer.ts trusts no part of unknown version).
 */
export function restoredItem(item: ItemRecord): ItemRecord {
  if (item.state === "done") return { ...item };
  const restored: ItemRecord = {
    ...item,
    state: item.state === "downloading" ? "queued" : item.state,
    expanded: false,
    files: 0,
    filesDone: 0,
    filesFailed: 0,
    bytes: 0,
    bytesDone: 0,
  };
  delete restored.listed;
  delete restored.listCursor;
  delete restored.failedWith;
  delete restored.finishedAt;
  return restored;
}

function isReason(value: unknown): value is Reason {
  return typeof value === "object" && value !== null && isErrorCode((value as Reason).code) &&
    typeof (value as Reason).message === "string";
}

function bad(message: string) {
  return hdpError("BAD_REQUEST", `Cannot restore a download: ${message}`);
}
