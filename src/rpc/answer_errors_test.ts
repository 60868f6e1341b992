import assert from "node:assert/strict";
import { readError, readManyError } from "./answer_errors.ts";

const badRequest = { type: "error", code: "BAD_REQUEST", message: "Bad" } as const;

Deno.test("readError calls a read past the end OUT_OF_RANGE when the peer sends the size", () => {
  const pastEnd = { ...badRequest, message: "Whatever the words", size: 10 };
  assert.equal(readError(pastEnd, 11).code, "OUT_OF_RANGE");
  assert.equal(readError(pastEnd, 11).message, "Whatever the words");
});

Deno.test("readError recognises a read past the end from a peer that sends no size", () => {
  const old = { ...badRequest, message: "Cannot read from byte 11: the file has 10 bytes" };
  assert.equal(readError(old, 11).code, "OUT_OF_RANGE");
});

Deno.test("readError keeps the peer's code for any other error", () => {
  assert.equal(readError(badRequest, 11).code, "BAD_REQUEST");
  assert.equal(readError({ ...badRequest, size: 10 }, 0).code, "BAD_REQUEST");
  assert.equal(readError({ ...badRequest, code: "NOT_FOUND" }, 5).code, "NOT_FOUND");
});

Deno.test("readManyError calls a refused ReadMany UNSUPPORTED and keeps other codes", () => {
  assert.equal(readManyError(badRequest).code, "UNSUPPORTED");
  assert.equal(readManyError({ ...badRequest, code: "BUSY" }).code, "BUSY");
});
