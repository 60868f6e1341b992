/**
 * The public face of src/wire/: what crosses the wire: messages and their validators, listing
 * shapes, framing, CBOR, paths, error codes.
 */
export { encodeCbor } from "./codec.ts";
export { DEFAULT_LS_LIMIT, MAX_LS_LIMIT } from "./entries.ts";
export type { LsEntry, LsPage, LsQuery, Totals } from "./entries.ts";
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
export { DEFAULT_MEDIA_TYPE, FILE_KINDS, fileKind, mediaType, previewKind } from "./media_type.ts";
export type { FileKind, PreviewKind } from "./media_type.ts";
export { filters, parseSearchFilter, passes } from "./search_filter.ts";
export {
  foldText,
  indexWords,
  matchesAll,
  MAX_INDEXED_WORD,
  MAX_TERM_LENGTH,
  searchWords,
} from "./search_words.ts";
export type { SearchFilter } from "./search_filter.ts";
export { encodeFrame, FrameReader } from "./frame.ts";
export { parseHandshake } from "./handshake_messages.ts";
export type { Challenge, Hello, Proof, Welcome } from "./handshake_messages.ts";
export {
  INTERACTIVE_BYTES,
  MAX_READ_MANY,
  parseAck,
  parseLsResponse,
  parseReadManyResponse,
  parseReadResponse,
  parseRequest,
  SMALL_FILE_BYTES,
} from "./messages.ts";
export type {
  AnnounceRequest,
  EndResponse,
  ErrorResponse,
  FileErrorResponse,
  LsRequest,
  PageResponse,
  PastEndResponse,
  ReadManyRequest,
  ReadOkResponse,
  ReadRequest,
  Request,
} from "./messages.ts";
export { checkName, isInside, joinPath, MAX_PATH_BYTES, parsePath, printable } from "./paths.ts";
export type { PeerRef } from "./peer_ref.ts";
export { ALPN, PROTOCOL_VERSION } from "./protocol_version.ts";
export { checkCircuit, CIRCUIT_ID_BYTES } from "./relay_messages.ts";
export type { RelayedRequest, RelayRequest } from "./relay_messages.ts";
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
