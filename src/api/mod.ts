/**
 * The public face of src/api/: the HTTP/WebSocket API: the Hono app, its server, the typed client
 * and JSON shapes.
 */
export { createApp } from "./app.ts";
export { createClient } from "./client.ts";
export type { ApiClient } from "./client.ts";
export { formatBytes, formatDate } from "./format.ts";
export { isLoopback } from "./guard.ts";
export { problemText } from "./problem.ts";
export { serveApi, upgradeWebSocket } from "./server.ts";
export type { ApiServer } from "./server.ts";
export { DOWNLOAD_ACTIONS } from "../downloads/mod.ts";
export type {
  DownloadAction,
  DownloadItem,
  HistoryEntry,
  LsEntry,
  NodeInfo,
  PeerInfo,
  UploadInfo,
} from "./types.ts";
