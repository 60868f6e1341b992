import assert from "node:assert/strict";
import { decodeCbor, encodeCbor } from "./codec.ts";
import { type Challenge, type Hello, parseHandshake } from "./handshake_messages.ts";
import { parseLsResponse, parseReadResponse, parseRequest } from "./messages.ts";

// CBOR written by hand, byte by byte, so that each width and form is the one under test

function head(major: number, n: number | bigint, width: 0 | 1 | 2 | 4 | 8): number[] {
  if (width === 0) return [major << 5 | Number(n)];
  const info = { 1: 24, 2: 25, 4: 26, 8: 27 }[width];
  const out = [major << 5 | info];
  for (let i = width - 1; i >= 0; i--) out.push(Number((BigInt(n) >> BigInt(8 * i)) & 0xffn));
  return out;
}
const uint = (n: number | bigint, width: 0 | 1 | 2 | 4 | 8): number[] => head(0, n, width);
const float64 = (n: number): number[] => {
  const bytes = new Uint8Array(9);
  bytes[0] = 0xfb;
  new DataView(bytes.buffer).setFloat64(1, n);
  return [...bytes];
};
const text = (s: string): number[] => {
  const bytes = new TextEncoder().encode(s);
  return [...head(3, bytes.length, bytes.length < 24 ? 0 : 1), ...bytes];
};
/** A bignum (tag 2) of `n`, in as few bytes as it takes. */
const bignum = (n: bigint): number[] => {
  const bytes: number[] = [];
  for (let rest = n; rest > 0n; rest >>= 8n) bytes.unshift(Number(rest & 0xffn));
  return [0xc2, ...head(2, bytes.length, 0), ...bytes];
};
function map(fields: Record<string, number[]>): Uint8Array {
  const keys = Object.keys(fields);
  return Uint8Array.from([
    ...head(5, keys.length, 0),
    ...keys.flatMap((key) => [...text(key), ...fields[key]!]),
  ]);
}

const GiB5 = 5 * 2 ** 30;
const MTIME = 1_700_000_000_123;

Deno.test("v: 1 is read in every CBOR integer width and as a float64", () => {
  for (const v of [uint(1, 0), uint(1, 1), uint(1, 2), uint(1, 4), uint(1, 8), float64(1)]) {
    const frame = map({ type: text("read"), v, path: text("s/a") });
    assert.deepEqual(parseRequest(decodeCbor(frame)), { type: "read", v: 1, path: "s/a" });
    const hello = map({ type: text("hello"), v, key: [...head(2, 32, 1), ...new Uint8Array(32)] });
    assert.equal(parseHandshake<Hello>(decodeCbor(hello), "hello").v, 1);
  }
  const negative = map({ type: text("read"), v: head(1, 0xfffffffffffffffen, 8), path: text("a") });
  assert.throws(() => parseRequest(decodeCbor(negative)), { code: "BAD_REQUEST" });
});

Deno.test("whole numbers of 2^32 and more are read as 8-byte integers, as floats and as bignums", () => {
  const expected = { type: "ok", size: GiB5, mtime: MTIME, start: 7, end: GiB5 };
  const forms = [
    { size: uint(GiB5, 8), mtime: uint(MTIME, 8), start: uint(7, 8), end: uint(GiB5, 8) },
    { size: float64(GiB5), mtime: float64(MTIME), start: float64(7), end: float64(GiB5) },
    { size: bignum(BigInt(GiB5)), mtime: uint(MTIME, 8), start: uint(7, 0), end: uint(GiB5, 8) },
  ];
  for (const form of forms) {
    assert.deepEqual(parseReadResponse(decodeCbor(map({ type: text("ok"), ...form }))), expected);
  }
  const request = map({
    type: text("announce"),
    v: uint(1, 0),
    address: text("hdp1x"),
    time: uint(MTIME, 8),
  });
  assert.deepEqual(parseRequest(decodeCbor(request)), {
    type: "announce",
    v: 1,
    address: "hdp1x",
    time: MTIME,
  });
  const challenge = map({
    type: text("challenge"),
    nonce: [...head(2, 32, 1), ...new Uint8Array(32)],
    observed: [...head(5, 2, 0), ...text("ip"), ...text("1.2.3.4"), ...text("port"), ...uint(5, 8)],
  });
  assert.deepEqual(parseHandshake<Challenge>(decodeCbor(challenge), "challenge").observed, {
    ip: "1.2.3.4",
    port: 5,
  });
});

Deno.test("a number above 2^53 - 1, negative or not whole is refused with BAD_REQUEST in a request and PROTOCOL in an answer", () => {
  const bad = [
    uint(2 ** 53, 8),
    uint(0xffffffffffffffffn, 8),
    float64(2 ** 53),
    float64(1.5),
    float64(-1),
    head(1, 4, 8),
    bignum(2n ** 53n),
  ];
  for (const n of bad) {
    const request = map({ type: text("read"), v: uint(1, 0), path: text("s/a"), start: n });
    assert.throws(() => parseRequest(decodeCbor(request)), { code: "BAD_REQUEST" }, String(n));
    const answer = map({
      type: text("ok"),
      size: uint(GiB5, 8),
      mtime: n,
      start: uint(0, 0),
      end: uint(0, 0),
    });
    assert.throws(() => parseReadResponse(decodeCbor(answer)), { code: "PROTOCOL" }, String(n));
  }
  // the largest safe whole number is still one
  const largest = map({
    type: text("read"),
    v: uint(1, 0),
    path: text("a"),
    end: uint(2 ** 53 - 1, 8),
  });
  assert.equal((parseRequest(decodeCbor(largest)) as { end: number }).end, 2 ** 53 - 1);
});

const bytesOf = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());
/** Our encoding as a plain Uint8Array (cbor-x hands out a Buffer), to compare byte by byte. */
const encoded = (value: unknown): Uint8Array => new Uint8Array(encodeCbor(value));

Deno.test("whole numbers are sent as CBOR integers in their shortest form, 8 bytes from 2^32 on", () => {
  const cases: [number, number[]][] = [
    [0, uint(0, 0)],
    [23, uint(23, 0)],
    [24, uint(24, 1)],
    [65535, uint(65535, 2)],
    [2 ** 32 - 1, uint(2 ** 32 - 1, 4)],
    [2 ** 32, uint(2 ** 32, 8)],
    [MTIME, uint(MTIME, 8)],
    [GiB5, uint(GiB5, 8)],
    [2 ** 53 - 1, uint(2 ** 53 - 1, 8)],
    [-1, head(1, 0, 0)],
    [-(2 ** 32), head(1, 2 ** 32 - 1, 4)],
    [-(2 ** 32) - 1, head(1, 2 ** 32, 8)],
  ];
  for (const [n, expected] of cases) {
    assert.deepEqual(encoded({ n }), bytesOf(head(5, 1, 0), text("n"), expected), String(n));
    assert.deepEqual(decodeCbor(encodeCbor({ n })), { n });
  }
  // what is not a safe whole number stays a float64
  for (const n of [1.5, 2 ** 53, -(2 ** 60)]) {
    assert.deepEqual(encoded([n]), bytesOf(head(4, 1, 0), float64(n)), String(n));
  }
});

Deno.test("numbers in nested maps and lists are sent as integers, and the message given is not changed", () => {
  const entry = { name: "s/a", size: GiB5, isDir: false, mtime: MTIME };
  const page = { type: "page", entries: [entry, { ...entry, size: 3 }], partial: false };
  const before = structuredClone(page);
  const bytes = encoded(page);
  assert.deepEqual(page, before);
  assert.equal(typeof page.entries[0]!.mtime, "number");
  const expectedEntry = (size: number[]) => [
    ...head(5, 4, 0),
    ...text("name"),
    ...text("s/a"),
    ...text("size"),
    ...size,
    ...text("isDir"),
    0xf4,
    ...text("mtime"),
    ...uint(MTIME, 8),
  ];
  assert.deepEqual(
    bytes,
    bytesOf(
      head(5, 3, 0),
      text("type"),
      text("page"),
      text("entries"),
      head(4, 2, 0),
      expectedEntry(uint(GiB5, 8)),
      expectedEntry(uint(3, 0)),
      text("partial"),
      [0xf4],
    ),
  );
  assert.deepEqual(decodeCbor(bytes), page);
});

Deno.test("text with a lone surrogate is sent as valid UTF-8, the surrogate replaced by U+FFFD", () => {
  for (const s of ["a\ud800b", "\udc00" + "x".repeat(100)]) {
    const bytes = encodeCbor(s);
    assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(2)));
    assert.equal(decodeCbor(bytes), s.toWellFormed());
  }
});

/** A text string of raw bytes, valid UTF-8 or not. */
const rawText = (bytes: number[]): number[] => [...head(3, bytes.length, 1), ...bytes];
const NOT_UTF8: number[][] = [
  [0x61, 0xff], // a byte never in UTF-8
  [0x80], // a continuation byte alone
  [0xc0, 0xaf], // an overlong "/"
  [0xe2, 0x82], // cut short
  [0xed, 0xa0, 0x80], // a surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [...new TextEncoder().encode("x".repeat(100)), 0xfe], // long text (cbor-x's other decoder)
];

Deno.test("text that is not valid UTF-8 is refused: BAD_REQUEST in a request or hello, PROTOCOL in an answer", () => {
  for (const bad of NOT_UTF8) {
    const request = map({ type: text("read"), v: uint(1, 0), path: rawText(bad) });
    assert.throws(() => parseRequest(decodeCbor(request)), { code: "BAD_REQUEST" }, String(bad));
    const hello = map({
      type: text("hello"),
      v: uint(1, 0),
      key: [...head(2, 32, 1), ...new Uint8Array(32)],
      name: rawText(bad),
    });
    assert.throws(() => parseHandshake(decodeCbor(hello), "hello"), { code: "BAD_REQUEST" });
    const entry = [
      ...head(5, 4, 0),
      ...text("name"),
      ...rawText([0x73, 0x2f, ...bad]),
      ...text("size"),
      ...uint(1, 0),
      ...text("isDir"),
      0xf4,
      ...text("mtime"),
      ...uint(MTIME, 8),
    ];
    const page = map({
      type: text("page"),
      entries: [...head(4, 1, 0), ...entry],
      partial: [0xf4],
    });
    assert.throws(() => parseLsResponse(decodeCbor(page)), { code: "PROTOCOL" }, String(bad));
    // even where the field is not read, and in a key
    const error = map({ type: text("error"), code: text("IO"), message: rawText(bad) });
    assert.throws(() => parseReadResponse(decodeCbor(error)), { code: "PROTOCOL" });
    const key = Uint8Array.from([
      ...head(5, 2, 0),
      ...text("type"),
      ...text("ack"),
      ...rawText(bad),
      ...uint(1, 0),
    ]);
    assert.throws(() => parseRequest(decodeCbor(key)), { code: "BAD_REQUEST" });
  }
});

Deno.test("a U+FFFD sent as UTF-8 is text like any other, after items of every kind", () => {
  const replacement = [0xef, 0xbf, 0xbd];
  // an indefinite-length list of bytes, a float, a tagged item, an 8-byte integer, an
  // indefinite-length map and null before the text that is checked
  const before = [
    0x9f,
    ...head(2, 3, 0),
    1,
    2,
    3,
    ...float64(1.5),
    0xc1,
    ...uint(7, 1),
    ...uint(2 ** 40, 8),
    0xbf,
    ...text("k"),
    ...rawText(replacement),
    0xff,
    0xf6,
    0xff,
  ];
  const request = map({
    type: text("read"),
    v: uint(1, 0),
    extra: before,
    path: rawText([0x73, 0x2f, ...replacement]),
  });
  assert.deepEqual(parseRequest(decodeCbor(request)), { type: "read", v: 1, path: "s/\uFFFD" });
  for (const bad of NOT_UTF8) {
    const late = map({
      type: text("read"),
      v: uint(1, 0),
      extra: before,
      path: text("s/a"),
      last: rawText(bad),
    });
    assert.throws(() => parseRequest(decodeCbor(late)), { code: "BAD_REQUEST" }, String(bad));
  }
});
