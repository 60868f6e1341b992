/**
 * A minimal STUN codec (RFC 5389 / RFC 8489): binding requests and binding success responses, with
 * no I/O. Everything a server sends is untrusted; malformed input throws a `PROTOCOL` error.
 */
import { hdpError } from "../wire/mod.ts";
import { bytesToIp, ipToBytes } from "./announce_address.ts";

/** The fixed value in bytes 4-7 of every RFC 5389 STUN message. */
export const MAGIC_COOKIE = 0x2112a442;
/** Length of a STUN transaction id in bytes. */
export const TRANSACTION_ID_BYTES = 12;

const HEADER_BYTES = 20;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const BINDING_ERROR = 0x0111;
const MAPPED_ADDRESS = 0x0001;
const XOR_MAPPED_ADDRESS = 0x0020;
const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

/** A transport address as a STUN server saw it. */
export interface MappedAddress {
  /** IPv4 dotted quad or compressed IPv6 text. */
  ip: string;
  port: number;
}

/** Makes a fresh random transaction id. */
export function newTransactionId(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(TRANSACTION_ID_BYTES));
}

/** Encodes a binding request without attributes (20 bytes). */
export function bindingRequest(transactionId: Uint8Array): Uint8Array {
  checkTransactionId(transactionId);
  const bytes = new Uint8Array(HEADER_BYTES);
  writeHeader(bytes, BINDING_REQUEST, 0, transactionId);
  return bytes;
}

/**
 * Encodes a binding success response with one XOR-MAPPED-ADDRESS (or, with `legacy`, a plain
 * MAPPED-ADDRESS as RFC 3489 servers send it). For fake servers in tests.
 */
export function bindingSuccessResponse(
  transactionId: Uint8Array,
  mapped: MappedAddress,
  options: { legacy?: boolean } = {},
): Uint8Array {
  checkTransactionId(transactionId);
  const ip = ipToBytes(mapped.ip);
  if (!ip) throw hdpError("BAD_REQUEST", `Not an IP address: "${mapped.ip}"`);
  const valueLength = 4 + ip.length;
  const bytes = new Uint8Array(HEADER_BYTES + 4 + valueLength);
  writeHeader(bytes, BINDING_SUCCESS, 4 + valueLength, transactionId);
  const view = new DataView(bytes.buffer);
  view.setUint16(20, options.legacy ? MAPPED_ADDRESS : XOR_MAPPED_ADDRESS);
  view.setUint16(22, valueLength);
  view.setUint8(25, ip.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6);
  if (options.legacy) {
    view.setUint16(26, mapped.port);
    bytes.set(ip, 28);
  } else {
    view.setUint16(26, mapped.port ^ (MAGIC_COOKIE >>> 16));
    bytes.set(xorAddress(ip, transactionId), 28);
  }
  return bytes;
}

/** Reads the transaction id of anything that looks like a STUN message; undefined otherwise. */
export function transactionIdOf(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < HEADER_BYTES || (bytes[0]! & 0xc0) !== 0) return undefined;
  if (view(bytes).getUint32(4) !== MAGIC_COOKIE) return undefined;
  return bytes.slice(8, HEADER_BYTES);
}

/**
 * Parses a binding success response to the request with `expectedTransactionId` and returns the
 * mapped address: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS when a server sends only that.
 */
export function parseBindingResponse(
  bytes: Uint8Array,
  expectedTransactionId: Uint8Array,
): MappedAddress {
  if (bytes.length < HEADER_BYTES) throw bad(`it is ${bytes.length} bytes, shorter than a header`);
  const data = view(bytes);
  const type = data.getUint16(0);
  const length = data.getUint16(2);
  if ((type & 0xc000) !== 0) throw bad("its first two bits are not zero");
  if (data.getUint32(4) !== MAGIC_COOKIE) throw bad("its magic cookie is wrong");
  if (!sameBytes(bytes.subarray(8, HEADER_BYTES), expectedTransactionId)) {
    throw bad("its transaction id does not match the request");
  }
  if (type === BINDING_ERROR) throw bad("the server answered with an error response");
  if (type !== BINDING_SUCCESS) throw bad(`its type 0x${type.toString(16)} is not a success`);
  if (length % 4 !== 0) throw bad(`its length ${length} is not a multiple of 4`);
  if (HEADER_BYTES + length !== bytes.length) {
    throw bad(`its length field says ${length} but ${bytes.length - HEADER_BYTES} bytes follow`);
  }
  const attributes = readAttributes(bytes);
  const xored = attributes.get(XOR_MAPPED_ADDRESS);
  if (xored) return readAddress(xored, expectedTransactionId);
  const plain = attributes.get(MAPPED_ADDRESS);
  if (plain) return readAddress(plain);
  throw bad("it has no (XOR-)MAPPED-ADDRESS");
}

/** The first value of every attribute type; refuses an attribute that runs past the end. */
function readAttributes(bytes: Uint8Array): Map<number, Uint8Array> {
  const data = view(bytes);
  const attributes = new Map<number, Uint8Array>();
  for (let offset = HEADER_BYTES; offset < bytes.length;) {
    if (offset + 4 > bytes.length) throw bad("an attribute header is cut short");
    const type = data.getUint16(offset);
    const length = data.getUint16(offset + 2);
    const start = offset + 4;
    if (start + length > bytes.length) {
      throw bad(`attribute 0x${type.toString(16)} runs past the end`);
    }
    if (!attributes.has(type)) attributes.set(type, bytes.subarray(start, start + length));
    offset = start + Math.ceil(length / 4) * 4;
  }
  return attributes;
}

function readAddress(value: Uint8Array, xorWith?: Uint8Array): MappedAddress {
  if (value.length < 4) throw bad("an address attribute is shorter than 4 bytes");
  const family = value[1];
  const ipLength = family === FAMILY_IPV4 ? 4 : family === FAMILY_IPV6 ? 16 : 0;
  if (ipLength === 0) throw bad(`address family ${family} is unknown`);
  if (value.length !== 4 + ipLength) throw bad(`an IPv${ipLength === 4 ? 4 : 6} address is cut`);
  let port = view(value).getUint16(2);
  let ip: Uint8Array = value.slice(4);
  if (xorWith) {
    port ^= MAGIC_COOKIE >>> 16;
    ip = xorAddress(ip, xorWith);
  }
  if (port === 0) throw bad("its mapped port is 0");
  return { ip: bytesToIp(ip), port };
}

/** XORs an address with the magic cookie (IPv4) or the cookie and transaction id (IPv6). */
function xorAddress(ip: Uint8Array, transactionId: Uint8Array): Uint8Array {
  const key = new Uint8Array(16);
  new DataView(key.buffer).setUint32(0, MAGIC_COOKIE);
  key.set(transactionId, 4);
  return ip.map((byte, i) => byte ^ key[i]!);
}

function writeHeader(bytes: Uint8Array, type: number, length: number, id: Uint8Array): void {
  const data = view(bytes);
  data.setUint16(0, type);
  data.setUint16(2, length);
  data.setUint32(4, MAGIC_COOKIE);
  bytes.set(id, 8);
}

function checkTransactionId(id: Uint8Array): void {
  if (id.length !== TRANSACTION_ID_BYTES) {
    throw hdpError("BAD_REQUEST", `A STUN transaction id is 12 bytes, not ${id.length}`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bad(why: string): Error {
  return hdpError("PROTOCOL", `Not a valid STUN binding response: ${why}`);
}
