/**
 * A PCP codec (RFC 6887) for the one request a node needs: MAP of a UDP port, from an IPv4 client
 * (its address as IPv4-mapped IPv6). No I/O. Replies are untrusted: malformed ones, or ones whose
 * nonce is not the request's, throw `PROTOCOL`; result codes become coded errors.
 */
import { type HdpError, hdpError } from "../wire/mod.ts";
import { bytesToIp, ipToBytes } from "./announce_address.ts";

/** Length of a mapping nonce in bytes. */
export const PCP_NONCE_BYTES = 12;

const VERSION = 2;
const OP_MAP = 1;
const RESPONSE_BIT = 0x80;
const PROTOCOL_UDP = 17;
const HEADER_BYTES = 24;
const MAP_BYTES = 36;
const MAX_BYTES = 1100;
const RESULT_UNSUPP_VERSION = 1;

/** A MAP request, as {@link pcpMapRequest} encodes it. */
export interface PcpMapRequest {
  /** The client's own IPv4 address: the source address of the request, or the server refuses. */
  clientIp: string;
  nonce: Uint8Array;
  internalPort: number;
  /** 0 deletes the mapping made with the same nonce. */
  lifetimeSeconds: number;
  /** A wish, 0 for none (the default). */
  externalPort?: number;
}

/** What a PCP server granted. */
export interface PcpMapping {
  lifetimeSeconds: number;
  /** Seconds since the server last lost its state. */
  epoch: number;
  internalPort: number;
  externalPort: number;
  /** Dotted IPv4 when the server sent an IPv4-mapped address, else IPv6 text. */
  externalIp: string;
}

/** Makes a fresh random mapping nonce; keep it to renew or delete the mapping. */
export function newPcpNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(PCP_NONCE_BYTES));
}

/** Encodes a MAP request for UDP (60 bytes). */
export function pcpMapRequest(request: PcpMapRequest): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + MAP_BYTES);
  const data = view(bytes);
  data.setUint8(0, VERSION);
  data.setUint8(1, OP_MAP);
  data.setUint32(4, checkLifetime(request.lifetimeSeconds));
  bytes.set(mappedIpv4(request.clientIp), 8);
  bytes.set(checkNonce(request.nonce), HEADER_BYTES);
  data.setUint8(HEADER_BYTES + 12, PROTOCOL_UDP);
  data.setUint16(HEADER_BYTES + 16, checkPort(request.internalPort, "internal"));
  data.setUint16(HEADER_BYTES + 18, checkPort(request.externalPort ?? 0, "external", true));
  bytes.set(mappedIpv4("0.0.0.0"), HEADER_BYTES + 20); // no wish for the external address
  return bytes;
}

/** Parses the answer to a MAP request; its nonce, protocol and internal port must be the request's. */
export function parsePcpMapResponse(bytes: Uint8Array, request: PcpMapRequest): PcpMapping {
  if (bytes.length < 4) throw bad(`it is ${bytes.length} bytes, shorter than a header`);
  const data = view(bytes);
  const version = data.getUint8(0);
  const resultCode = data.getUint8(3);
  // A NAT-PMP-only gateway answers in version 0 with result 1; a PCP server of another version
  // with its own version and UNSUPP_VERSION.
  if (version !== VERSION) {
    if (version === 0 && data.getUint16(2) === 1) throw pcpResultError(RESULT_UNSUPP_VERSION);
    if (resultCode === RESULT_UNSUPP_VERSION) throw pcpResultError(RESULT_UNSUPP_VERSION);
    throw bad(`its version is ${version}, not ${VERSION}`);
  }
  if (data.getUint8(1) !== (RESPONSE_BIT | OP_MAP)) {
    throw bad(`its opcode byte is 0x${data.getUint8(1).toString(16)}, not a MAP response`);
  }
  // A refusal of a request the server could not parse may be a bare header (RFC 6887 section 8.3).
  if (resultCode !== 0 && bytes.length === HEADER_BYTES) throw pcpResultError(resultCode);
  if (bytes.length < HEADER_BYTES + MAP_BYTES) throw bad(`it is ${bytes.length} bytes, too short`);
  if (bytes.length > MAX_BYTES || bytes.length % 4 !== 0) {
    throw bad(`its length ${bytes.length} is not a multiple of 4 up to ${MAX_BYTES}`);
  }
  if (!sameBytes(bytes.subarray(HEADER_BYTES, HEADER_BYTES + 12), request.nonce)) {
    throw bad("its nonce is not the request's");
  }
  if (resultCode !== 0) throw pcpResultError(resultCode);
  return readMapping(bytes, request);
}

/** Encodes a MAP response, for fake gateways in tests. */
export function pcpMapResponse(
  request: PcpMapRequest,
  granted: {
    lifetimeSeconds: number;
    externalPort: number;
    externalIp: string;
    resultCode?: number;
    epoch?: number;
  },
): Uint8Array {
  const bytes = pcpMapRequest({ ...request, externalPort: granted.externalPort });
  const data = view(bytes);
  data.setUint8(1, RESPONSE_BIT | OP_MAP);
  data.setUint8(3, granted.resultCode ?? 0);
  data.setUint32(4, granted.lifetimeSeconds);
  data.setUint32(8, granted.epoch ?? 0);
  bytes.fill(0, 12, HEADER_BYTES);
  const ip = ipToBytes(granted.externalIp);
  bytes.set(ip?.length === 4 ? mappedIpv4(granted.externalIp) : ip ?? new Uint8Array(16), 44);
  return bytes;
}

/**
 * The coded error of a non-zero result code: versions, opcodes, options and protocols the server
 * does not know `UNSUPPORTED`; not authorized `FORBIDDEN`; network failure and cannot provide
 * external `UNAVAILABLE`; resources and quotas `BUSY`; a request it found malformed or an address
 * mismatch (we are behind another NAT) `BAD_REQUEST`; unknown codes `PROTOCOL`.
 */
export function pcpResultError(resultCode: number): HdpError {
  const [code, why] = RESULTS[resultCode] ?? ["PROTOCOL", `unknown result code ${resultCode}`];
  return hdpError(code, `The gateway refused the PCP request: ${why}`);
}

const RESULTS: Record<number, [HdpError["code"], string]> = {
  [RESULT_UNSUPP_VERSION]: ["UNSUPPORTED", "UNSUPP_VERSION"],
  2: ["FORBIDDEN", "NOT_AUTHORIZED"],
  3: ["BAD_REQUEST", "MALFORMED_REQUEST"],
  4: ["UNSUPPORTED", "UNSUPP_OPCODE"],
  5: ["UNSUPPORTED", "UNSUPP_OPTION"],
  6: ["BAD_REQUEST", "MALFORMED_OPTION"],
  7: ["UNAVAILABLE", "NETWORK_FAILURE"],
  8: ["BUSY", "NO_RESOURCES"],
  9: ["UNSUPPORTED", "UNSUPP_PROTOCOL"],
  10: ["BUSY", "USER_EX_QUOTA"],
  11: ["UNAVAILABLE", "CANNOT_PROVIDE_EXTERNAL"],
  12: ["BAD_REQUEST", "ADDRESS_MISMATCH"],
  13: ["BUSY", "EXCESSIVE_REMOTE_PEERS"],
};

function readMapping(bytes: Uint8Array, request: PcpMapRequest): PcpMapping {
  const data = view(bytes);
  const protocol = data.getUint8(HEADER_BYTES + 12);
  if (protocol !== PROTOCOL_UDP) throw bad(`it maps protocol ${protocol}, not UDP`);
  const internalPort = data.getUint16(HEADER_BYTES + 16);
  if (internalPort !== request.internalPort) {
    throw bad(`it maps internal port ${internalPort}, not ${request.internalPort}`);
  }
  const mapping: PcpMapping = {
    lifetimeSeconds: data.getUint32(4),
    epoch: data.getUint32(8),
    internalPort,
    externalPort: data.getUint16(HEADER_BYTES + 18),
    externalIp: unmapped(bytes.slice(HEADER_BYTES + 20, HEADER_BYTES + 36)),
  };
  if (request.lifetimeSeconds > 0 && mapping.externalPort === 0) {
    throw bad("it grants external port 0");
  }
  return mapping;
}

/** `::ffff:a.b.c.d` as 16 bytes. */
function mappedIpv4(ip: string): Uint8Array {
  const v4 = ipToBytes(ip);
  if (v4?.length !== 4) throw hdpError("BAD_REQUEST", `Not an IPv4 address: "${ip}"`);
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}

function unmapped(bytes: Uint8Array): string {
  const isMapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return isMapped ? bytesToIp(bytes.subarray(12)) : bytesToIp(bytes);
}

function checkNonce(nonce: Uint8Array): Uint8Array {
  if (nonce.length !== PCP_NONCE_BYTES) {
    throw hdpError("BAD_REQUEST", `A PCP nonce is 12 bytes, not ${nonce.length}`);
  }
  return nonce;
}

function checkPort(port: number, which: string, zeroAllowed = false): number {
  if (!Number.isInteger(port) || port < (zeroAllowed ? 0 : 1) || port > 65535) {
    throw hdpError("BAD_REQUEST", `Not a valid ${which} port: ${port}`);
  }
  return port;
}

function checkLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) {
    throw hdpError("BAD_REQUEST", `Not a valid mapping lifetime: ${seconds}`);
  }
  return seconds;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bad(why: string): HdpError {
  return hdpError("PROTOCOL", `Not a valid PCP response: ${why}`);
}
