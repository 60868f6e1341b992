import assert from "node:assert/strict";
import { decodeCbor } from "./codec.ts";
import { type Challenge, type Hello, parseHandshake } from "./handshake_messages.ts";
import { parseReadResponse, parseRequest } from "./messages.ts";

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
