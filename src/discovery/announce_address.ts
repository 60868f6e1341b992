/**
 * The announce address: one copy-pasteable string with a node's public key, IP, UDP port and NAT
 * type, and a checksum so that a mistyped character is caught. Layout in PROTOCOL.md.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { hdpError } from "../wire/mod.ts";
import { NAT_TYPES, type NatType } from "./nat_type.ts";

/** What an announce address says. */
export interface AnnounceAddress {
  /** The 32-byte ed25519 public key of the node. */
  publicKey: Uint8Array;
  /** IPv4 dotted quad or IPv6 text. */
  ip: string;
  /** UDP port of the node's QUIC endpoint. */
  port: number;
  natType: NatType;
}

/** Every announce address starts with this; the digit is the format version. */
export const ANNOUNCE_PREFIX = "hdp1";
const VERSION = 1;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const CHECKSUM_BYTES = 4;
const HEADER_BYTES = 1 + 1 + 2 + 32; // version, NAT type, port, key

/** Encodes an announce address as `hdp1…` (lower-case base32, no padding). */
export function encodeAnnounceAddress(address: AnnounceAddress): string {
  if (address.publicKey.length !== 32) throw hdpError("BAD_REQUEST", "Public key must be 32 bytes");
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) {
    throw hdpError("BAD_REQUEST", `Port must be 1 to 65535, not ${address.port}`);
  }
  const ip = ipToBytes(address.ip);
  if (!ip) throw hdpError("BAD_REQUEST", `Not an IP address: "${address.ip}"`);
  const body = new Uint8Array(HEADER_BYTES + ip.length);
  body[0] = VERSION;
  body[1] = NAT_TYPES.indexOf(address.natType);
  new DataView(body.buffer).setUint16(2, address.port);
  body.set(address.publicKey, 4);
  body.set(ip, HEADER_BYTES);
  const whole = new Uint8Array(body.length + CHECKSUM_BYTES);
  whole.set(body);
  whole.set(checksum(body), body.length);
  return ANNOUNCE_PREFIX + base32Encode(whole);
}

/**
 * Decodes an announce address. White space anywhere (messengers wrap long lines) and upper case are
 * tolerated; anything else malformed throws a `BAD_REQUEST` error that says what is wrong.
 */
export function decodeAnnounceAddress(text: string): AnnounceAddress {
  if (typeof text !== "string") throw bad("it is not text");
  const compact = text.replace(/\s+/g, "").toLowerCase();
  if (compact.length === 0) throw bad("it is empty");
  if (compact.length > 200) throw bad("it is too long");
  if (!compact.startsWith(ANNOUNCE_PREFIX)) {
    throw bad(`it must start with "${ANNOUNCE_PREFIX}"`);
  }
  const bytes = base32Decode(compact.slice(ANNOUNCE_PREFIX.length));
  const ipLength = bytes.length - HEADER_BYTES - CHECKSUM_BYTES;
  if (ipLength !== 4 && ipLength !== 16) throw bad("it has the wrong length; was it cut short?");
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const expected = checksum(body);
  const actual = bytes.subarray(body.length);
  if (!expected.every((b, i) => b === actual[i])) {
    throw bad("its checksum does not match; a character was probably mistyped");
  }
  if (body[0] !== VERSION) throw bad(`its version ${body[0]} is not supported`);
  const natType = NAT_TYPES[body[1] ?? -1];
  if (natType === undefined) throw bad(`its NAT type ${body[1]} is unknown`);
  const port = new DataView(body.buffer, body.byteOffset).getUint16(2);
  if (port === 0) throw bad("its port is 0");
  return {
    publicKey: body.slice(4, 36),
    ip: bytesToIp(body.subarray(HEADER_BYTES)),
    port,
    natType,
  };
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
