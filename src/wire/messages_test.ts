import assert from "node:assert/strict";
import { MAX_LS_LIMIT } from "./entries.ts";
import { parseHandshake } from "./handshake_messages.ts";
import {
  MAX_READ_MANY,
  parseAck,
  parseLsResponse,
  parseReadManyResponse,
  parseReadResponse,
  parseRequest,
} from "./messages.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";

const v = PROTOCOL_VERSION;
const entry = { name: "share/a.txt", size: 3, isDir: false, mtime: 1 };
const ok = { type: "ok", size: 10, mtime: 5, start: 0, end: 10 };

Deno.test("parseRequest accepts each request type and fills in the defaults", () => {
  assert.deepEqual(parseRequest({ type: "ls", v }), { type: "ls", v, path: "", recursive: false });
  assert.deepEqual(
    parseRequest({ type: "ls", v, path: "s", recursive: true, searchTerm: "x", limit: 9 }),
    { type: "ls", v, path: "s", recursive: true, searchTerm: "x", limit: 9 },
  );
  assert.deepEqual(
    parseRequest({ type: "ls", v, searchTerm: "x", kinds: ["video"], minSize: 5, maxSize: 9 }),
    {
      type: "ls",
      v,
      path: "",
      recursive: false,
      searchTerm: "x",
      kinds: ["video"],
      minSize: 5,
      maxSize: 9,
    },
  );
  assert.throws(() => parseRequest({ type: "ls", v, kinds: ["films"] }), { code: "BAD_REQUEST" });
  assert.deepEqual(parseRequest({ type: "read", v, path: "s/a", start: 1, end: 2 }), {
    type: "read",
    v,
    path: "s/a",
    start: 1,
    end: 2,
  });
  assert.deepEqual(parseRequest({ type: "readMany", v, paths: ["s/a", "s/b"] }), {
    type: "readMany",
    v,
    paths: ["s/a", "s/b"],
  });
  const signature = new Uint8Array(64);
  assert.deepEqual(parseRequest({ type: "announce", v, address: "hdp1x", time: 7, signature }), {
    type: "announce",
    v,
    address: "hdp1x",
    time: 7,
    signature,
  });
  const unlisted = { type: "announce", v, address: "hdp1x", time: 7, signature, unlisted: true };
  assert.deepEqual(parseRequest(unlisted), { ...unlisted });
  assert.equal(
    "unlisted" in parseRequest({ ...unlisted, unlisted: "yes" }),
    false,
    "only true counts",
  );
  assert.deepEqual(parseRequest({ type: "befriend", v }), { type: "befriend", v });
});

Deno.test("parseRequest refuses malformed requests with BAD_REQUEST", () => {
  const bad: unknown[] = [
    "ls",
    [{ type: "ls", v }],
    { type: "ls", v: 2 },
    { type: "ls", v, recursive: "yes" },
    { type: "ls", v, limit: 0 },
    { type: "ls", v, limit: MAX_LS_LIMIT + 1 },
    { type: "ls", v, path: "x".repeat(5000) },
    { type: "read", v },
    { type: "read", v, path: "a", start: -1 },
    { type: "read", v, path: "a", start: 5, end: 4 },
    { type: "readMany", v, paths: [] },
    { type: "readMany", v, paths: Array(MAX_READ_MANY + 1).fill("a") },
    { type: "readMany", v, paths: [1] },
    { type: "announce", v, address: "hdp1x", signature: new Uint8Array(3) },
    { type: "forget", v },
  ];
  for (const value of bad) {
    assert.throws(() => parseRequest(value), { code: "BAD_REQUEST" }, JSON.stringify(value));
  }
});

Deno.test("parseLsResponse accepts pages, ends and errors, and refuses others with PROTOCOL", () => {
  const page = { type: "page", entries: [entry], partial: false, cursor: "c" };
  assert.deepEqual(parseLsResponse(page), page);
  assert.deepEqual(
    parseLsResponse({ type: "end", partial: true, totals: { files: 1, bytes: 3 } }),
    {
      type: "end",
      partial: true,
      totals: { files: 1, bytes: 3 },
    },
  );
  assert.deepEqual(parseLsResponse({ type: "error", code: "NOT_FOUND", message: "No" }), {
    type: "error",
    code: "NOT_FOUND",
    message: "No",
  });
  const bad: unknown[] = [
    7,
    { type: "page" },
    { type: "page", entries: [{ ...entry, isDir: 1 }] },
    { type: "page", entries: [{ ...entry, size: -1 }] },
    { type: "page", entries: ["a"] },
    { type: "end", totals: { files: "1", bytes: 0 } },
    { type: "ok" },
  ];
  for (const value of bad) {
    assert.throws(() => parseLsResponse(value), { code: "PROTOCOL" }, JSON.stringify(value));
  }
});

Deno.test("parseReadResponse accepts headers, queue places and errors, and refuses others with PROTOCOL", () => {
  assert.deepEqual(parseReadResponse(ok), ok);
  assert.deepEqual(parseReadResponse({ type: "queued", position: 2 }), {
    type: "queued",
    position: 2,
  });
  assert.deepEqual(parseReadResponse({ type: "error", code: "WHAT", message: 5 }), {
    type: "error",
    code: "INTERNAL",
    message: "Unknown error",
  });
  const bad: unknown[] = [
    null,
    { ...ok, end: 11 },
    { ...ok, start: 6, end: 5 },
    { ...ok, mtime: "now" },
    { type: "queued" },
    { type: "page" },
    { type: "error", code: "BAD_REQUEST", message: "Past", size: -1 },
  ];
  for (const value of bad) {
    assert.throws(() => parseReadResponse(value), { code: "PROTOCOL" }, JSON.stringify(value));
  }
});

Deno.test("parseReadResponse keeps the size of a read past the end", () => {
  const pastEnd = { type: "error", code: "BAD_REQUEST", message: "Past the end", size: 4 };
  assert.deepEqual(parseReadResponse(pastEnd), pastEnd);
  // a size on another code means nothing and is dropped
  assert.deepEqual(parseReadResponse({ ...pastEnd, code: "IO" }), {
    type: "error",
    code: "IO",
    message: "Past the end",
  });
});

Deno.test("parseReadManyResponse tells a file's error from the request's, and refuses ranges", () => {
  assert.deepEqual(parseReadManyResponse(ok), ok);
  const fileError = { type: "error", code: "NOT_FOUND", message: "No", path: "s/a" };
  assert.deepEqual(parseReadManyResponse(fileError), fileError);
  assert.deepEqual(parseReadManyResponse({ type: "error", code: "BUSY", message: "Later" }), {
    type: "error",
    code: "BUSY",
    message: "Later",
  });
  for (const value of [{ ...ok, start: 1 }, { ...ok, end: 9 }, { ...fileError, path: 3 }]) {
    assert.throws(() => parseReadManyResponse(value), { code: "PROTOCOL" }, JSON.stringify(value));
  }
});

Deno.test("parseAck accepts an ack or an error and refuses others with PROTOCOL", () => {
  assert.deepEqual(parseAck({ type: "ack" }), { type: "ack" });
  assert.equal(parseAck({ type: "error", code: "UNAUTHORIZED", message: "No" }).type, "error");
  assert.throws(() => parseAck(undefined), { code: "PROTOCOL" });
  assert.throws(() => parseAck({ type: "ok" }), { code: "PROTOCOL" });
});

Deno.test("parseHandshake refuses a bad hello with BAD_REQUEST and a bad challenge with PROTOCOL", () => {
  const key = new Uint8Array(32);
  assert.deepEqual(parseHandshake({ type: "hello", v, key }, "hello"), { type: "hello", v, key });
  assert.throws(() => parseHandshake({ type: "hello", v, key: key.subarray(1) }, "hello"), {
    code: "BAD_REQUEST",
  });
  const challenge = { type: "challenge", nonce: key, observed: { ip: "1.2.3.4", port: 5 } };
  assert.deepEqual(parseHandshake(challenge, "challenge"), challenge);
  assert.throws(() => parseHandshake({ ...challenge, observed: { ip: 1 } }, "challenge"), {
    code: "PROTOCOL",
  });
  assert.throws(() => parseHandshake({ type: "welcome" }, "challenge"), { code: "PROTOCOL" });
  assert.throws(
    () => parseHandshake({ type: "error", code: "UNAUTHORIZED", message: "No" }, "welcome"),
    { code: "UNAUTHORIZED" },
  );
});
