/**
 * The light face of src/downloads/: what clients of the API need of downloads (the actions and the
 * shapes), without the queue, KV or threads. Processes that must stay light (the web UI, the CLI's
 * commands) import this instead of mod.ts.
 */
export { DOWNLOAD_ACTIONS, DOWNLOAD_STATES } from "./types.ts";
export type {
  DownloadAction,
  DownloadItem,
  DownloadState,
  HistoryEntry,
  PeerRef,
  UploadInfo,
} from "./types.ts";
