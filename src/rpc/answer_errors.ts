/**
 * What a peer's error answer means to our callers: the protocol's codes turned into the meanings
 * the download queue branches on (`UNSUPPORTED`, `OUT_OF_RANGE`). Pure, tested beside.
 */
import { type ErrorResponse, HdpError, type PastEndResponse } from "../wire/mod.ts";

/** What a peer's text says when a read starts past the end (peers that do not send the size). */
const PAST_END = /^Cannot read from byte \d+: the file has \d+ bytes$/;

/**
 * The error to throw for a Read's error frame: `OUT_OF_RANGE` when the read starts past the end of
 * the file (the peer says `BAD_REQUEST` with the size, or with that message before it sent one).
 */
export function readError(response: ErrorResponse | PastEndResponse, start: number): HdpError {
  const pastEnd = response.code === "BAD_REQUEST" && start > 0 &&
    ("size" in response ? start > response.size : PAST_END.test(response.message));
  return new HdpError(pastEnd ? "OUT_OF_RANGE" : response.code, response.message);
}

/**
 * The error of a whole `ReadMany`: a peer that does not know the request answers `BAD_REQUEST`
 * (our requests are well formed), which is thrown as `UNSUPPORTED`: read the files one by one.
 */
export function readManyError(response: ErrorResponse): HdpError {
  const code = response.code === "BAD_REQUEST" ? "UNSUPPORTED" : response.code;
  return new HdpError(code, response.message);
}

/**
 * The error of a `Relay` or `Relayed` answer: a peer that does not know the request answers
 * `BAD_REQUEST` (ours are well formed), thrown as `UNSUPPORTED`.
 */
export function circuitError(response: ErrorResponse): HdpError {
  return readManyError(response);
}

/**
 * What a relay tells the requester when the leg to the target failed: `UNSUPPORTED` (never sent
 * to a peer) becomes `UNAVAILABLE`, so the requester does not take the relay for an old one.
 */
export function legError(error: HdpError): HdpError {
  if (error.code !== "UNSUPPORTED") return error;
  return new HdpError("UNAVAILABLE", `The peer does not take relayed circuits: ${error.message}`);
}
