/**
 * A NAT-PMP codec (RFC 6886): the external address request and the UDP mapping request, and their
 * responses, with no I/O. A gateway is untrusted: malformed replies throw `PROTOCOL`, and the
 * result codes of refusals become coded errors (see {@link natPmpResultError}).
 */
import { type HdpError, hdpError } from "../wire/mod.ts";

/** The UDP port a NAT-PMP (and PCP) gateway listens on. */
export const NAT_PMP_PORT = 5351;

const VERSION = 0;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_UDP = 1;
const RESPONSE = 128;
const RESULT_UNSUPPORTED_VERSION = 1;

/** What a gateway said about its external address. */
export interface NatPmpExternalAddress {
  /** Seconds since the gateway's mappings were last lost (a reboot makes it small again). */
  epoch: number;
  externalIp: string;
}

/** What a gateway granted for a UDP mapping request. */
export interface NatPmpMapping {
  epoch: number;
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
}

/** Encodes the external address request (2 bytes). */
export function natPmpExternalAddressRequest(): Uint8Array {
  return Uint8Array.of(VERSION, OP_EXTERNAL_ADDRESS);
}

/**
 * Encodes a UDP mapping request (12 bytes). A lifetime of 0 with external port 0 deletes the
 * mapping of `internalPort`.
 */
export function natPmpMapRequest(
  internalPort: number,
  options: { externalPort?: number; lifetimeSeconds?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(12);
  const data = view(bytes);
  data.setUint8(0, VERSION);
  data.setUint8(1, OP_MAP_UDP);
  data.setUint16(4, checkPort(internalPort, "internal"));
  data.setUint16(6, checkPort(options.externalPort ?? internalPort, "external", true));
  data.setUint32(8, checkLifetime(options.lifetimeSeconds ?? 3600));
  return bytes;
}

/** Parses the answer to {@link natPmpExternalAddressRequest}. */
export function parseNatPmpExternalAddress(bytes: Uint8Array): NatPmpExternalAddress {
  const data = checkHeader(bytes, OP_EXTERNAL_ADDRESS, 12);
  const externalIp = Array.from(bytes.subarray(8, 12)).join(".");
  return { epoch: data.getUint32(4), externalIp };
}

/** Parses the answer to {@link natPmpMapRequest} for `internalPort`. */
export function parseNatPmpMapping(bytes: Uint8Array, internalPort: number): NatPmpMapping {
  const data = checkHeader(bytes, OP_MAP_UDP, 16);
  const mapping = {
    epoch: data.getUint32(4),
    internalPort: data.getUint16(8),
    externalPort: data.getUint16(10),
    lifetimeSeconds: data.getUint32(12),
  };
  if (mapping.internalPort !== internalPort) {
    throw bad(`it maps internal port ${mapping.internalPort}, not ${internalPort}`);
  }
  if (mapping.externalPort === 0 && mapping.lifetimeSeconds !== 0) {
    throw bad("it grants external port 0");
  }
  return mapping;
}

/** Encodes a response, for fake gateways in tests: `fields` are the bytes after the header. */
export function natPmpResponse(
  opcode: number,
  resultCode: number,
  epoch: number,
  fields: Uint8Array,
): Uint8Array {
  const bytes = new Uint8Array(8 + fields.length);
  const data = view(bytes);
  data.setUint8(1, RESPONSE + opcode);
  data.setUint16(2, resultCode);
  data.setUint32(4, epoch);
  bytes.set(fields, 8);
  return bytes;
}

/**
 * The coded error of a non-zero result code: 1 (unsupported version: a PCP-only gateway) and 5
 * (unsupported opcode) `UNSUPPORTED`, 2 (refused) `FORBIDDEN`, 3 (network failure) `UNAVAILABLE`,
 * 4 (out of resources) `BUSY`, any other `PROTOCOL`.
 */
export function natPmpResultError(resultCode: number): HdpError {
  const [code, why] = RESULTS[resultCode] ?? ["PROTOCOL", `unknown result code ${resultCode}`];
  return hdpError(code, `The gateway refused the NAT-PMP request: ${why}`);
}

const RESULTS: Record<number, [HdpError["code"], string]> = {
  [RESULT_UNSUPPORTED_VERSION]: ["UNSUPPORTED", "unsupported version"],
  2: ["FORBIDDEN", "not authorized"],
  3: ["UNAVAILABLE", "network failure"],
  4: ["BUSY", "out of resources"],
  5: ["UNSUPPORTED", "unsupported opcode"],
};

/** Checks version, opcode and result; the length only for success (a refusal's body is free). */
function checkHeader(bytes: Uint8Array, opcode: number, length: number): DataView {
  if (bytes.length < 4) throw bad(`it is ${bytes.length} bytes, shorter than a header`);
  const data = view(bytes);
  const version = data.getUint8(0);
  const resultCode = data.getUint16(2);
  // A gateway that speaks another version answers with its own: unsupported, whatever follows.
  if (version !== VERSION) {
    if (resultCode === RESULT_UNSUPPORTED_VERSION) throw natPmpResultError(resultCode);
    throw bad(`its version is ${version}, not ${VERSION}`);
  }
  if (data.getUint8(1) !== RESPONSE + opcode) {
    throw bad(`its opcode is ${data.getUint8(1)}, not ${RESPONSE + opcode}`);
  }
  if (resultCode !== 0) throw natPmpResultError(resultCode);
  if (bytes.length !== length) throw bad(`it is ${bytes.length} bytes, not ${length}`);
  return data;
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

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bad(why: string): HdpError {
  return hdpError("PROTOCOL", `Not a valid NAT-PMP response: ${why}`);
}
