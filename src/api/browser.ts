/**
 * The part of the API's face that runs in a browser (ui/ imports only this): the typed client, the
 * JSON shapes, formatting and wording; nothing of the server.
 */
export { createClient } from "./client.ts";
export type { ApiClient } from "./client.ts";
export { formatBytes, formatDate } from "./format.ts";
export { previewKind } from "./media_type.ts";
export type { PreviewKind } from "./media_type.ts";
export { problemText } from "./problem.ts";
export type {
  DownloadAction,
  DownloadItem,
  HistoryEntry,
  LsEntry,
  NodeEvent,
  NodeInfo,
  PeerInfo,
  PeerLsPage,
  PeerRef,
  PeerSearchResult,
  ShareChangeResponse,
  ShareInfo,
  Totals,
  UploadInfo,
} from "./types.ts";
export { HdpError, hdpError } from "../wire/browser.ts";
