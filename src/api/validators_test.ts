import assert from "node:assert/strict";
import { entityTag, lastModified, noneMatchHits, rangeStillValid } from "./validators.ts";

const VERSION = { size: 5000, mtime: 1_700_000_000_123 };
const DATE = "Tue, 14 Nov 2023 22:13:20 GMT";

Deno.test("a file's entity tag is made of its size and mtime", () => {
  assert.equal(entityTag(VERSION), '"5000-1700000000123"');
  assert.notEqual(entityTag(VERSION), entityTag({ ...VERSION, mtime: VERSION.mtime + 1 }));
  assert.notEqual(entityTag(VERSION), entityTag({ ...VERSION, size: 5001 }));
});

Deno.test("Last-Modified is the mtime as an HTTP date, and absent when the mtime is unknown", () => {
  assert.equal(lastModified(VERSION), DATE);
  assert.equal(lastModified({ size: 1, mtime: 0 }), undefined);
});

Deno.test("If-None-Match hits the same version, weak or strong, alone or in a list, or *", () => {
  assert.equal(noneMatchHits('"5000-1700000000123"', VERSION), true);
  assert.equal(noneMatchHits('W/"5000-1700000000123"', VERSION), true);
  assert.equal(noneMatchHits('"other", "5000-1700000000123"', VERSION), true);
  assert.equal(noneMatchHits("*", VERSION), true);
});

Deno.test("If-None-Match misses another version, and nothing is asked without it", () => {
  assert.equal(noneMatchHits('"5000-1700000000124"', VERSION), false);
  assert.equal(noneMatchHits('"5000-1700000000123', VERSION), false);
  assert.equal(noneMatchHits(null, VERSION), false);
});

Deno.test("If-Range keeps the range for the same version, by strong tag or exact date", () => {
  assert.equal(rangeStillValid(null, VERSION), true);
  assert.equal(rangeStillValid('"5000-1700000000123"', VERSION), true);
  assert.equal(rangeStillValid(DATE, VERSION), true);
});

Deno.test("If-Range drops the range for another version, a weak tag or a date it cannot trust", () => {
  assert.equal(rangeStillValid('"5000-1"', VERSION), false);
  assert.equal(rangeStillValid('W/"5000-1700000000123"', VERSION), false, "weak never matches");
  assert.equal(rangeStillValid("Tue, 14 Nov 2023 22:13:21 GMT", VERSION), false);
  assert.equal(rangeStillValid("yesterday", VERSION), false);
  assert.equal(rangeStillValid(DATE, { size: 5000, mtime: 0 }), false, "no mtime, no date");
});
