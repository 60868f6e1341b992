/**
 * The announce address: one copy-pasteable string with a node's public key, NAT type and where it
 * may be reached, and a checksum so that a mistyped character is caught. Version 1 (`hdp1…`) has
 * one IP and port; version 2 (`hdp2…`) a short list of candidates, each with its kind. Layout in
 * PROTOCOL.md.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { hdpError } from "../wire/mod.ts";
import { type Candidate, CANDIDATE_KINDS, kindOfAddress, MAX_CANDIDATES } from "./candidate.ts";
import { NAT_TYPES, type NatType } from "./nat_type.ts";

/** What an announce address says. */
export interface AnnounceAddress {
  /** The 32-byte ed25519 public key of the node. */
  publicKey: Uint8Array;
  /** The first candidate's IP: IPv4 dotted quad or IPv6 text. */
  ip: string;
  /** The first candidate's UDP port. */
  port: number;
  /** The NAT type of the node's IPv4 mapping (the `public` candidate). */
  natType: NatType;
  /**
   * Every place the node may be reached at, the first one being `ip`/`port` (decoding a version 1
   * address gives one, of the kind its address most likely is). Default: just `ip`/`port`.
   */
  candidates?: Candidate[];
}

/** A decoded announce address: its candidates are always there. */
export type DecodedAnnounceAddress = AnnounceAddress & { candidates: Candidate[] };

/** Every announce address of version 1 starts with this. */
export const ANNOUNCE_PREFIX = "hdp1";
/** Every announce address of version 2 (candidates) starts with this. */
export const ANNOUNCE_PREFIX_V2 = "hdp2";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const CHECKSUM_BYTES = 4;
const HEADER_BYTES = 1 + 1 + 2 + 32; // version, NAT type, port, key
const HEADER_BYTES_V2 = 1 + 1 + 32 + 1; // version, NAT type, key, count
/** Bit 7 of a candidate's kind byte: the address is IPv6 (16 bytes), else IPv4 (4). */
const IPV6_BIT = 0x80;

/**
 * Encodes an announce address: `hdp1…` when one address says it all (a version 1 decoder reads
 * it, so old peers can dial it), else `hdp2…` with every candidate (lower-case base32, no padding).
 */
export function encodeAnnounceAddress(address: AnnounceAddress): string {
  if (address.publicKey.length !== 32) throw hdpError("BAD_REQUEST", "Public key must be 32 bytes");
  const candidates = address.candidates ??
    [{ kind: kindOfAddress(address.ip), ip: address.ip, port: address.port }];
  if (candidates.length === 0) throw hdpError("BAD_REQUEST", "An announce address needs a place");
  if (candidates.length > MAX_CANDIDATES) {
    throw hdpError("BAD_REQUEST", `At most ${MAX_CANDIDATES} candidates, not ${candidates.length}`);
  }
  for (const c of candidates) checkPort(c.port);
  const only = candidates[0]!;
  if (candidates.length === 1 && kindOfAddress(only.ip) === only.kind) {
    return encodeV1(address.publicKey, address.natType, only);
  }
  const ips = candidates.map((c) => {
    const ip = ipToBytes(c.ip);
    if (!ip) throw hdpError("BAD_REQUEST", `Not an IP address: "${c.ip}"`);
    return ip;
  });
  const size = HEADER_BYTES_V2 + ips.reduce((sum, ip) => sum + 3 + ip.length, 0);
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  body[0] = 2;
  body[1] = NAT_TYPES.indexOf(address.natType);
  body.set(address.publicKey, 2);
  body[34] = candidates.length;
  let at = HEADER_BYTES_V2;
  candidates.forEach((c, i) => {
    const ip = ips[i]!;
    body[at] = CANDIDATE_KINDS.indexOf(c.kind) | (ip.length === 16 ? IPV6_BIT : 0);
    view.setUint16(at + 1, c.port);
    body.set(ip, at + 3);
    at += 3 + ip.length;
  });
  return ANNOUNCE_PREFIX_V2 + base32Encode(withChecksum(body));
}

function encodeV1(publicKey: Uint8Array, natType: NatType, place: Candidate): string {
  const ip = ipToBytes(place.ip);
  if (!ip) throw hdpError("BAD_REQUEST", `Not an IP address: "${place.ip}"`);
  const body = new Uint8Array(HEADER_BYTES + ip.length);
  body[0] = 1;
  body[1] = NAT_TYPES.indexOf(natType);
  new DataView(body.buffer).setUint16(2, place.port);
  body.set(publicKey, 4);
  body.set(ip, HEADER_BYTES);
  return ANNOUNCE_PREFIX + base32Encode(withChecksum(body));
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw hdpError("BAD_REQUEST", `Port must be 1 to 65535, not ${port}`);
  }
}

function withChecksum(body: Uint8Array): Uint8Array {
  const whole = new Uint8Array(body.length + CHECKSUM_BYTES);
  whole.set(body);
  whole.set(checksum(body), body.length);
  return whole;
}

/**
 * Decodes an announce address. White space anywhere (messengers wrap long lines) and upper case are
 * tolerated; anything else malformed throws a `BAD_REQUEST` error that says what is wrong.
 */
export function decodeAnnounceAddress(text: string): DecodedAnnounceAddress {
  if (typeof text !== "string") throw bad("it is not text");
  const compact = text.replace(/\s+/g, "").toLowerCase();
  if (compact.length === 0) throw bad("it is empty");
  if (compact.length > 320) throw bad("it is too long");
  if (compact.startsWith(ANNOUNCE_PREFIX_V2)) return decodeV2(compact);
  if (!compact.startsWith(ANNOUNCE_PREFIX)) {
    throw bad(`it must start with "${ANNOUNCE_PREFIX}" or "${ANNOUNCE_PREFIX_V2}"`);
  }
  const bytes = base32Decode(compact.slice(ANNOUNCE_PREFIX.length));
  if (bytes.length > HEADER_BYTES + 16 + CHECKSUM_BYTES) throw bad("it is too long");
  const ipLength = bytes.length - HEADER_BYTES - CHECKSUM_BYTES;
  if (ipLength !== 4 && ipLength !== 16) throw bad("it has the wrong length; was it cut short?");
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const expected = checksum(body);
  const actual = bytes.subarray(body.length);
  if (!expected.every((b, i) => b === actual[i])) {
    throw bad("its checksum does not match; a character was probably mistyped");
  }
  if (body[0] !== 1) throw bad(`its version ${body[0]} is not supported`);
  const natType = NAT_TYPES[body[1] ?? -1];
  if (natType === undefined) throw bad(`its NAT type ${body[1]} is unknown`);
  const port = new DataView(body.buffer, body.byteOffset).getUint16(2);
  if (port === 0) throw bad("its port is 0");
  const ip = bytesToIp(body.subarray(HEADER_BYTES));
  return {
    publicKey: body.slice(4, 36),
    ip,
    port,
    natType,
    candidates: [{ kind: kindOfAddress(ip), ip, port }],
  };
}

function decodeV2(compact: string): DecodedAnnounceAddress {
  const bytes = base32Decode(compact.slice(ANNOUNCE_PREFIX_V2.length));
  if (bytes.length < HEADER_BYTES_V2 + 3 + 4 + CHECKSUM_BYTES) {
    throw bad("it is too short; was it cut short?");
  }
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const expected = checksum(body);
  const actual = bytes.subarray(body.length);
  if (!expected.every((b, i) => b === actual[i])) {
    throw bad("its checksum does not match; a character was probably mistyped");
  }
  if (body[0] !== 2) throw bad(`its version ${body[0]} is not supported`);
  const natType = NAT_TYPES[body[1] ?? -1];
  if (natType === undefined) throw bad(`its NAT type ${body[1]} is unknown`);
  const count = body[34]!;
  if (count === 0 || count > MAX_CANDIDATES) throw bad(`it has ${count} candidates`);
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const candidates: Candidate[] = [];
  let at = HEADER_BYTES_V2;
  for (let i = 0; i < count; i++) {
    if (at + 3 > body.length) throw bad("it has the wrong length; was it cut short?");
    const flags = body[at]!;
    const kind = CANDIDATE_KINDS[flags & ~IPV6_BIT];
    if (kind === undefined) throw bad(`its candidate kind ${flags & ~IPV6_BIT} is unknown`);
    const ipLength = flags & IPV6_BIT ? 16 : 4;
    const port = view.getUint16(at + 1);
    if (port === 0) throw bad("a candidate's port is 0");
    if (at + 3 + ipLength > body.length) throw bad("it has the wrong length; was it cut short?");
    candidates.push({ kind, ip: bytesToIp(body.subarray(at + 3, at + 3 + ipLength)), port });
    at += 3 + ipLength;
  }
  if (at !== body.length) throw bad("it has the wrong length; bytes are left over");
  const first = candidates[0]!;
  return { publicKey: body.slice(2, 34), ip: first.ip, port: first.port, natType, candidates };
}

function bad(why: string): Error {
  return hdpError("BAD_REQUEST", `Not a valid announce address: ${why}`);
}

function checksum(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest().subarray(0, CHECKSUM_BYTES);
}

function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const value = ALPHABET.indexOf(text[i]!);
    if (value < 0) throw bad(`"${text[i]}" is not an allowed character`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}

/** Parses IPv4 or IPv6 text into 4 or 16 bytes; undefined when it is not an IP address. */
export function ipToBytes(ip: string): Uint8Array | undefined {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split(".").map(Number));
  if (family !== 6) return undefined;
  let text = ip.split("%")[0]!; // a zone id is local to one host; it is never announced
  const v4Tail = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4Tail?.[1]) {
    const [a, b, c, d] = v4Tail[1].split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, -v4Tail[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 255;
  });
  return out;
}

/** Formats 4 or 16 bytes as IP text (IPv6 compressed). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // compress the longest run of zero groups, as RFC 5952 asks
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLength && j - i > 1) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  const head = groups.slice(0, bestStart).join(":");
  const tail = groups.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}
