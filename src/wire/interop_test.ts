/**
 * The protocol between this node and a peer written with another CBOR library (cborg, here only):
 * every message cborg writes is read by our parsers, and what we write cborg reads back, strictly.
 */
import assert from "node:assert/strict";
import { decode, encode, Tokenizer, Type } from "cborg";
import { decodeCbor, encodeCbor } from "./codec.ts";
import { parseHandshake } from "./handshake_messages.ts";
import {
  parseAck,
  parseLsResponse,
  parseReadManyResponse,
  parseReadResponse,
  parseRequest,
} from "./messages.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";

const v = PROTOCOL_VERSION;
const GiB5 = 5 * 2 ** 30;
const MTIME = 1_700_000_000_123;
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const entry = { name: "Music/a.flac", size: GiB5, isDir: false, mtime: MTIME };

/** Each message with the parser that reads it; what it parses to when that differs. */
const MESSAGES: { message: Record<string, unknown>; parse: (value: unknown) => unknown }[] = [
  {
    message: {
      type: "ls",
      v,
      path: "Music",
      recursive: true,
      searchTerm: "jazz",
      cursor: "c1",
      limit: 500,
    },
    parse: parseRequest,
  },
  {
    message: { type: "read", v, path: "Music/a.flac", start: GiB5, end: GiB5 + 7 },
    parse: parseRequest,
  },
  { message: { type: "readMany", v, paths: ["Music/a", "Music/b"] }, parse: parseRequest },
  {
    message: { type: "announce", v, address: "hdp1abc", signature: bytes(64, 7), time: MTIME },
    parse: parseRequest,
  },
  {
    message: {
      type: "page",
      entries: [entry, { ...entry, name: "Music/b", size: 0, isDir: true }],
      cursor: "c2",
      partial: true,
      totals: { files: 2, bytes: GiB5 },
    },
    parse: parseLsResponse,
  },
  {
    message: { type: "end", partial: false, totals: { files: 1, bytes: GiB5 } },
    parse: parseLsResponse,
  },
  {
    message: { type: "error", code: "NOT_FOUND", message: "No such file" },
    parse: parseLsResponse,
  },
  { message: { type: "queued", position: 3 }, parse: parseReadResponse },
  {
    message: { type: "ok", size: GiB5 * 2, mtime: MTIME, start: GiB5, end: GiB5 * 2 },
    parse: parseReadResponse,
  },
  {
    message: { type: "error", code: "BAD_REQUEST", message: "Past the end", size: GiB5 },
    parse: parseReadResponse,
  },
  {
    message: { type: "ok", size: 5, mtime: MTIME, start: 0, end: 5 },
    parse: parseReadManyResponse,
  },
  {
    message: { type: "error", code: "IO", message: "Cannot read", path: "Music/a" },
    parse: parseReadManyResponse,
  },
  { message: { type: "ack" }, parse: parseAck },
  { message: { type: "error", code: "UNAUTHORIZED", message: "Who?" }, parse: parseAck },
  { message: { type: "hello", v, key: bytes(32, 1) }, parse: (x) => parseHandshake(x, "hello") },
  {
    message: {
      type: "challenge",
      nonce: bytes(32, 2),
      observed: { ip: "203.0.113.9", port: 4433 },
    },
    parse: (x) => parseHandshake(x, "challenge"),
  },
  { message: { type: "proof", signature: bytes(64, 3) }, parse: (x) => parseHandshake(x, "proof") },
  { message: { type: "welcome" }, parse: (x) => parseHandshake(x, "welcome") },
];

/** The CBOR major type of every map value in `cbor`, by its key, as cborg's tokenizer reads it. */
function majorTypes(cbor: Uint8Array): Record<string, number[]> {
  const found: Record<string, number[]> = {};
  const open: { map: boolean; left: number; key: string | undefined }[] = [];
  const tokens = new Tokenizer(cbor);
  while (!tokens.done()) {
    const token = tokens.next();
    const top = open.at(-1);
    if (top?.map && top.key === undefined) {
      top.key = String(token.value);
      continue;
    }
    if (top) {
      if (top.map) (found[top.key!] ??= []).push(token.type.major);
      top.key = undefined;
      top.left--;
    }
    if (token.type === Type.map || token.type === Type.array) {
      open.push({ map: token.type === Type.map, left: token.value as number, key: undefined });
    }
    while (open.length > 0 && open.at(-1)!.left === 0) open.pop();
  }
  return found;
}

Deno.test("every message cborg writes, 8-byte integers included, is read by our parsers", () => {
  for (const { message, parse } of MESSAGES) {
    const cbor = encode(message);
    assert.deepEqual(parse(decodeCbor(cbor)), message, JSON.stringify(message));
  }
  // cborg writes numbers of 2^32 and more as 8-byte integers (major type 0): the case under test
  const header = majorTypes(encode({ type: "ok", size: GiB5, mtime: MTIME, start: 0, end: GiB5 }));
  assert.deepEqual(header, { type: [3], size: [0], mtime: [0], start: [0], end: [0] });
});

Deno.test("a handshake error cborg writes is thrown with its code", () => {
  const cbor = encode({ type: "error", code: "UNAUTHORIZED", message: "Who?" });
  assert.throws(() => parseHandshake(decodeCbor(cbor), "welcome"), {
    code: "UNAUTHORIZED",
    message: "Who?",
  });
});

Deno.test("every message we write is read by cborg, strictly, with the same values", () => {
  for (const { message } of MESSAGES) {
    const cbor = encodeCbor(message);
    // strict: integers and lengths in their shortest form; no tags are known to cborg by default
    assert.deepEqual(decode(cbor, { strict: true, rejectDuplicateMapKeys: true }), message);
  }
});

Deno.test("whole numbers we write are CBOR integers (major type 0), not floats, 2^32 and above too", () => {
  const header = majorTypes(
    encodeCbor({ type: "ok", size: GiB5 * 2, mtime: MTIME, start: GiB5, end: GiB5 * 2 }),
  );
  assert.deepEqual(header, { type: [3], size: [0], mtime: [0], start: [0], end: [0] });
  const page = majorTypes(encodeCbor(MESSAGES[4]!.message));
  assert.deepEqual(page.mtime, [0, 0]);
  assert.deepEqual(page.size, [0, 0]);
  assert.deepEqual(page.bytes, [0]);
  const announce = majorTypes(encodeCbor(MESSAGES[3]!.message));
  assert.deepEqual(announce.time, [0]);
  assert.deepEqual(announce.v, [0]);
  assert.deepEqual(majorTypes(encodeCbor(MESSAGES[15]!.message)).port, [0]);
  // and cborg reads them as the numbers they are
  assert.deepEqual(decode(encodeCbor({ mtime: MTIME, offset: GiB5 })), {
    mtime: MTIME,
    offset: GiB5,
  });
});
