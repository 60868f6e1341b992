/**
 * The light face of src/api/: the client side of the API, for the web UI (in a browser) and the
 * CLI's commands: the typed client, the JSON shapes, formatting and wording, nothing of the server.
 * Everything it loads stays browser-safe.
 */
export { createClient } from "./client.ts";
export type { ApiClient } from "./client.ts";
export { formatBytes, formatBytesPerSecond, formatDate, waitingText } from "./format.ts";
export { FILE_KINDS, fileKind, parseSearchFilter, previewKind } from "../wire/light.ts";
export type { FileKind, PreviewKind, SearchFilter } from "../wire/light.ts";
export { problemText } from "./problem.ts";
export { candidatesText, mappingText, relayText } from "./reach_text.ts";
export { DOWNLOAD_ACTIONS, DOWNLOAD_STATES } from "../downloads/light.ts";
export type {
  AcceptPolicy,
  Audience,
  AudienceInput,
  BandwidthStatus,
  CancelUploadResponse,
  ClearDownloadsResponse,
  DownloadAction,
  DownloadItem,
  ForgetPeerResponse,
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
  TransferCounts,
  UploadInfo,
} from "./types.ts";
export { pathText } from "../transport/light.ts";
export type { ConnectionPath } from "../transport/light.ts";
export { HdpError, hdpError } from "../wire/light.ts";
export { formatDays, formatRate, parseDays, parseRate, parseSize } from "../wire/light.ts";
