/**
 * The light face of src/wire/, for code that must stay light or run in a browser (the API client,
 * the UI): error codes and reasons, paths, and the shapes of listings. No CBOR, no sockets, no node:*.
 */
export {
  ERROR_CODES,
  HdpError,
  hdpError,
  isErrorCode,
  messageOf,
  reasonOf,
  toHdpError,
} from "./errors.ts";
export type { ErrorCode, Reason } from "./errors.ts";
export {
  checkName,
  isInside,
  joinPath,
  MAX_NAME_BYTES,
  MAX_PATH_BYTES,
  parsePath,
  printable,
  utf8Length,
} from "./paths.ts";
export type { LsEntry, LsPage, LsQuery, Totals } from "./entries.ts";
export { DEFAULT_MEDIA_TYPE, FILE_KINDS, fileKind, mediaType, previewKind } from "./media_type.ts";
export type { FileKind, PreviewKind } from "./media_type.ts";
export { filters, parseSearchFilter, passes } from "./search_filter.ts";
export type { SearchFilter } from "./search_filter.ts";
export type { PeerRef } from "./peer_ref.ts";
export { checkRate, formatRate, MAX_RATE, parseRate } from "./rates.ts";
export { parseSize } from "./byte_units.ts";
export {
  formatDays,
  limitsAt,
  localMoment,
  MAX_SCHEDULES,
  parseDays,
  parseSchedule,
  parseSchedules,
} from "./schedule.ts";
export type { Limits, LimitsInForce, Schedule } from "./schedule.ts";
