/** The JSON shapes of the HTTP API: one source of truth for the daemon, the CLI and the UI. */
import type { FileKind, LsEntry, PeerRef, Reason, Totals } from "../wire/light.ts";
import type { AudienceInput, OwnerStanding, ShareSetting } from "../node/mod.ts";
import type { PeerInfo } from "../transport/mod.ts";
export type {
  Audience,
  AudienceInput,
  BandwidthStatus,
  LimitsChange,
  NodeInfo,
  OwnerStanding,
  PeerLsPage,
  ShareListing,
  TransferCounts,
} from "../node/mod.ts";
export type { Limits, LimitsInForce, Schedule } from "../wire/light.ts";
export type { AcceptPolicy, Standing } from "../transport/mod.ts";
export type { PeerInfo } from "../transport/mod.ts";
export type { ShareSetting } from "../node/mod.ts";
export type { ShareInfo } from "../shares/mod.ts";
export type { LsEntry, LsPage, LsQuery, Totals } from "../wire/light.ts";
export type {
  DownloadAction,
  DownloadItem,
  DownloadState,
  HistoryEntry,
  PeerRef,
  UploadInfo,
} from "../downloads/mod.ts";
export type { NodeEvent } from "../node/mod.ts";

/** The body of every error response. */
export interface ApiErrorBody {
  error: Reason;
}

/** The answer to `POST /api/uploads/:id/cancel`. */
export interface CancelUploadResponse {
  id: string;
  cancelled: true;
}

/** The answer to `DELETE /api/downloads?state=done,failed`: the ids of the downloads forgotten. */
export interface ClearDownloadsResponse {
  removed: string[];
}

/** The answer to `POST /api/stop`. */
export interface StopResponse {
  stopping: true;
}

/** The answer to `DELETE /api/peers/:peer`: the peer as it was when it was forgotten. */
export interface ForgetPeerResponse {
  peer: PeerInfo;
  forgotten: true;
}

/** What `PUT /api/peers/:peer/standing` takes. */
export interface StandingRequest {
  standing: OwnerStanding;
}

/** What `PUT /api/shares/:name/audience` takes (and `POST /api/shares`, optionally). */
export interface AudienceRequest {
  audience: AudienceInput;
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

/** What `GET /api/search` takes: `?q=TERM[&peer=…&cursor=…&limit=…]`. */
export interface SearchQuery {
  /** Every word must occur in a matching path. */
  term: string;
  /** Only this peer (a name, key or key prefix); without it, every connected peer. */
  peer?: string;
  /** Where the peer's previous page ended (with `peer` only: a cursor is one peer's). */
  cursor?: string;
  /** At most this many entries per peer. */
  limit?: number;
  /** Only files of these kinds (`&kind=audio,video`). */
  kinds?: FileKind[];
  /** Only files of at least / at most this many bytes (`&min=`, `&max=`). */
  minSize?: number;
  maxSize?: number;
}

/** One peer's answer to a search: a page of matches, or why the peer could not answer. */
export interface PeerSearchResult {
  peer: PeerRef;
  /** The matches, at most `limit` (empty when `error` is set). */
  entries: LsEntry[];
  /** Set when the peer has more: pass it back with `peer` for the next page. */
  cursor?: string;
  totals?: Totals;
  /** True while the peer is still indexing: matches may be missing. */
  partial: boolean;
  /** Why this peer did not answer (gone, timed out…); the other peers' results stand. */
  error?: Reason;
}

/** The answer to `GET /api/search`: one result per peer asked, in the order of `GET /api/peers`. */
export interface SearchResponse {
  results: PeerSearchResult[];
}

/**
 * One line of `GET /api/search?…&stream=1` (newline-delimited JSON): a peer's result as it
 * answers, then `end` with how many peers were asked; a stream without `end` was cut short.
 */
export type SearchLine =
  | { type: "result"; result: PeerSearchResult }
  | { type: "end"; asked: number };
