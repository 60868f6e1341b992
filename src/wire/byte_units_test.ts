import assert from "node:assert/strict";
import { bytesIn, parseSize } from "./byte_units.ts";
import { parseRate } from "./rates.ts";

Deno.test("sizes read as people type them, decimal or binary as written", () => {
  assert.equal(parseSize("500MB"), 500_000_000);
  assert.equal(parseSize("1.5 GiB"), 1.5 * 2 ** 30);
  assert.equal(parseSize("700k"), 700_000);
  assert.equal(parseSize("2Ti"), 2 * 2 ** 40);
  assert.equal(parseSize("42"), 42);
  assert.throws(() => parseSize("-1"), { code: "BAD_REQUEST", message: /Not a size/ });
  assert.throws(() => parseSize("3 parsecs"), { code: "BAD_REQUEST", message: /Not a size/ });
  assert.throws(() => parseSize("1e400"), /Not a size/);
});

Deno.test("sizes and rates read units from one table", () => {
  for (const unit of ["", "b", "k", "KB", "Ki", "kib", "M", "mb", "MiB", "G", "gib"]) {
    assert.equal(parseRate(`3${unit}/s`), bytesIn("3", unit), unit);
    assert.equal(parseSize(`3${unit}`), bytesIn("3", unit), unit);
  }
  assert.equal(bytesIn("1", "parsec"), undefined);
});
