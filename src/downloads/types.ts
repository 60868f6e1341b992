/** What downloads and uploads look like to the API, the CLI and the UI. */

import type { PeerRef, Reason } from "../wire/light.ts";

export type { PeerRef };

/** What a user can do to a download, in the order the UI and the CLI offer them. */
export const DOWNLOAD_ACTIONS = ["pause", "resume", "cancel", "retry", "front"] as const;

/** One of {@link DOWNLOAD_ACTIONS}. */
export type DownloadAction = typeof DOWNLOAD_ACTIONS[number];

/** The states of a requested item (a file, or a folder and its files). */
export type DownloadState = typeof DOWNLOAD_STATES[number];

/** Every state a download can be in. */
export const DOWNLOAD_STATES = ["queued", "downloading", "paused", "done", "failed"] as const;

/** One requested file or folder, as the wishlist holds it. */
export interface DownloadItem {
  id: string;
  peer: PeerRef;
  /** The path at the peer, as requested: `Music/Jazz`. */
  path: string;
  isDir: boolean;
  state: DownloadState;
  /**
   * Why it failed or was paused by the node: `IO` the disk is full or cannot be written, `FORBIDDEN`
   * a link in the download dir leads out, `NOT_FOUND` files are gone at the peer…
   */
  problem?: Reason;
  /** The message of `problem` as plain text (kept for scripts that read it). */
  reason?: string;
  files: number;
  filesDone: number;
  bytes: number;
  bytesDone: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
  /** Seconds left at the current speed. */
  eta?: number;
  /** Place in this node's download queue (1 is next), while queued. */
  queuePosition?: number;
  /** Place in the peer's upload queue, while the peer makes us wait. */
  remotePosition?: number;
  /**
   * True while it waits for its peer to come back (queued, the peer not connected): `bytesDone`
   * are kept on disk and it goes on by itself once the peer is back.
   */
  waitingForPeer?: boolean;
  /**
   * True while its listing at the peer is not complete: `files`, `bytes` (and, before the first
   * page, `isDir`) are what is listed so far.
   */
  listing?: boolean;
  createdAt: number;
  finishedAt?: number;
  /** Where it is saved, relative to the download dir: `<peer name>/<path>`. */
  localPath: string;
}

/** An upload to a peer, running or queued. */
export interface UploadInfo {
  id: string;
  peer: PeerRef;
  path: string;
  state: "queued" | "uploading";
  /** Place in the upload queue (1 is next), while queued. */
  position?: number;
  bytes: number;
  bytesDone: number;
  speed: number;
  startedAt: number;
}

/** One finished transfer, for the history. */
export interface HistoryEntry {
  direction: "download" | "upload";
  peer: PeerRef;
  /** A file, or the folder its `files` were in. */
  path: string;
  bytes: number;
  /** How many files, when more than one (a folder, or a run of small files in one folder). */
  files?: number;
  at: number;
}
