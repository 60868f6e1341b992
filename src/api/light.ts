/**
 * The light face of src/api/: the client side of the API, for the web UI (in a browser) and the
 * CLI's commands: the typed client, the JSON shapes, formatting and wording, nothing of the server.
 * Everything it loads stays browser-safe.
 */
export { createClient } from "./client.ts";
export type { ApiClient } from "./client.ts";
export { formatBytes, formatDate, waitingText } from "./format.ts";
export { previewKind } from "./media_type.ts";
export type { PreviewKind } from "./media_type.ts";
export { problemText } from "./problem.ts";
export { DOWNLOAD_ACTIONS } from "../downloads/light.ts";
export type {
  AcceptPolicy,
  Audience,
  AudienceInput,
  BandwidthStatus,
  CancelUploadResponse,
  DownloadAction,
  DownloadItem,
  HistoryEntry,
  Limits,
  LimitsChange,
  LimitsInForce,
  LsEntry,
  NodeEvent,
  NodeInfo,
  OwnerStanding,
  PeerInfo,
  PeerLsPage,
  PeerRef,
  PeerSearchResult,
  Schedule,
  ShareChangeResponse,
  ShareInfo,
  ShareListing,
  Standing,
  Totals,
  UploadInfo,
} from "./types.ts";
export { HdpError, hdpError } from "../wire/light.ts";
export { formatDays, formatRate, parseDays, parseRate } from "../wire/light.ts";
