/**
 * The part of wire/'s face that code running in a browser may import (the API client, the UI):
 * error codes and reasons, and the shapes of listings. Nothing here pulls in CBOR or sockets.
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
export type { LsEntry, LsPage, LsQuery, Totals } from "./entries.ts";
export type { PeerRef } from "./peer_ref.ts";
