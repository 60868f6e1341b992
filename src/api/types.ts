/** The JSON shapes of the HTTP API: one source of truth for the daemon, the CLI and the UI. */
import type { ErrorCode } from "../wire/errors.ts";
import type { ShareSetting } from "../node/settings.ts";
export type { NodeInfo, PeerLsPage } from "../node/node.ts";
export type { PeerInfo } from "../transport/peers.ts";
export type { ShareSetting } from "../node/settings.ts";
export type { ShareInfo } from "../shares/shares.ts";
export type { LsEntry, LsPage, LsQuery, Totals } from "../wire/entries.ts";
export type {
  DownloadAction,
  DownloadItem,
  DownloadState,
  HistoryEntry,
  PeerRef,
  UploadInfo,
} from "../downloads/types.ts";
export type { NodeEvent } from "../node/events.ts";

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The answer to `POST /api/stop`. */
export interface StopResponse {
  stopping: true;
}

/** The answer to adding or removing a share: the engine restarts with its new scope. */
export interface ShareChangeResponse {
  share: ShareSetting;
  restarting: true;
}

/** What `POST /api/downloads` takes. */
export interface DownloadRequest {
  /** A peer name, key or key prefix. */
  peer: string;
  /** A file or folder at the peer. */
  path: string;
}

/** A file or folder in the download dir. */
export interface DownloadedEntry {
  name: string;
  isDir: boolean;
  /** Bytes (0 for a folder). */
  size: number;
  /** Milliseconds since the epoch. */
  mtime: number;
}

/** The answer to `GET /api/downloaded?path=`: a folder of the download dir. */
export interface DownloadedFolder {
  /** The folder, relative to the download dir ("" for the dir itself). */
  path: string;
  /** Folders first, then files, each by name; unfinished `.part` files are left out. */
  entries: DownloadedEntry[];
  /** True when the folder holds more than the entries listed. */
  truncated: boolean;
}
