import assert from "node:assert/strict";
import { contentRange, parseRange, type RangeSpec, resolveRange } from "./byte_range.ts";

/** Parses and resolves in one step, as the stream does once it knows the size. */
function answer(header: string | null, size: number) {
  return resolveRange(parseRange(header), size);
}

Deno.test("bytes=a-b asks for the bytes a to b, both included", () => {
  assert.deepEqual(parseRange("bytes=1000-1999"), { kind: "from", first: 1000, last: 1999 });
  assert.deepEqual(answer("bytes=1000-1999", 5000), { kind: "partial", start: 1000, end: 2000 });
  assert.deepEqual(answer("bytes=0-0", 5000), { kind: "partial", start: 0, end: 1 });
});

Deno.test("bytes=a- asks for everything from a", () => {
  assert.deepEqual(parseRange("bytes=4000-"), { kind: "from", first: 4000 });
  assert.deepEqual(answer("bytes=4000-", 5000), { kind: "partial", start: 4000, end: 5000 });
  assert.deepEqual(answer("bytes=0-", 5000), { kind: "partial", start: 0, end: 5000 });
});

Deno.test("bytes=-n asks for the last n bytes, or the whole file when it is shorter", () => {
  assert.deepEqual(parseRange("bytes=-500"), { kind: "suffix", length: 500 });
  assert.deepEqual(answer("bytes=-500", 5000), { kind: "partial", start: 4500, end: 5000 });
  assert.deepEqual(answer("bytes=-9000", 5000), { kind: "partial", start: 0, end: 5000 });
});

Deno.test("a last byte past the end is clamped to the end", () => {
  assert.deepEqual(answer("bytes=4000-9999", 5000), { kind: "partial", start: 4000, end: 5000 });
  assert.deepEqual(answer("bytes=10-99999999999999999999999", 50), {
    kind: "partial",
    start: 10,
    end: 50,
  });
});

Deno.test("a first byte at or past the end is unsatisfiable", () => {
  assert.deepEqual(answer("bytes=5000-", 5000), { kind: "unsatisfiable" });
  assert.deepEqual(answer("bytes=5000-6000", 5000), { kind: "unsatisfiable" });
  assert.deepEqual(answer("bytes=99999999999999999999999-", 5000), { kind: "unsatisfiable" });
});

Deno.test("a suffix of zero bytes is unsatisfiable", () => {
  assert.deepEqual(parseRange("bytes=-0"), { kind: "suffix", length: 0 });
  assert.deepEqual(answer("bytes=-0", 5000), { kind: "unsatisfiable" });
  assert.deepEqual(answer("bytes=-0", 0), { kind: "unsatisfiable" });
});

Deno.test("an empty file has no range to give, but a suffix of it is the whole empty file", () => {
  assert.deepEqual(answer("bytes=0-", 0), { kind: "unsatisfiable" });
  assert.deepEqual(answer("bytes=0-10", 0), { kind: "unsatisfiable" });
  assert.deepEqual(answer("bytes=-10", 0), { kind: "whole" });
});

Deno.test("several ranges are ignored: the whole file is served", () => {
  assert.equal(parseRange("bytes=0-9,20-29"), undefined);
  assert.equal(parseRange("bytes=0-9, -5"), undefined);
  assert.deepEqual(answer("bytes=0-9,20-29", 5000), { kind: "whole" });
});

Deno.test("empty list elements do not count as ranges", () => {
  assert.deepEqual(parseRange("bytes=0-9,"), { kind: "from", first: 0, last: 9 });
  assert.deepEqual(parseRange("bytes= , 0-9 ,"), { kind: "from", first: 0, last: 9 });
});

Deno.test("a malformed header is ignored, as if there were none", () => {
  const malformed = [
    "",
    "bytes",
    "bytes=",
    "bytes=-",
    "bytes=a-b",
    "bytes=1-2-3",
    "bytes=+1-2",
    "bytes=1.5-2",
    "bytes=0x10-",
    "bytes=9-1",
    "bytes 0-9",
    "items=0-9",
    "=0-9",
  ];
  for (const header of malformed) {
    assert.equal(parseRange(header), undefined, JSON.stringify(header));
    assert.deepEqual(answer(header, 5000), { kind: "whole" }, JSON.stringify(header));
  }
});

Deno.test("no header means the whole file", () => {
  assert.equal(parseRange(null), undefined);
  assert.equal(parseRange(undefined), undefined);
  assert.deepEqual(answer(null, 5000), { kind: "whole" });
});

Deno.test("the unit is compared without regard to case, and spaces around a range are allowed", () => {
  const expected: RangeSpec = { kind: "from", first: 5, last: 9 };
  assert.deepEqual(parseRange("Bytes=5-9"), expected);
  assert.deepEqual(parseRange("BYTES=5-9"), expected);
  assert.deepEqual(parseRange("bytes= 5-9 "), expected);
});

Deno.test("Content-Range names the bytes sent, or only the size when none can be", () => {
  assert.equal(
    contentRange({ kind: "partial", start: 1000, end: 2000 }, 5000),
    "bytes 1000-1999/5000",
  );
  assert.equal(contentRange({ kind: "partial", start: 0, end: 1 }, 1), "bytes 0-0/1");
  assert.equal(contentRange({ kind: "unsatisfiable" }, 5000), "bytes */5000");
});
