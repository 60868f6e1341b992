import assert from "node:assert/strict";
import { checkRate, formatRate, parseRate } from "./rates.ts";

Deno.test("parseRate reads the units people write, decimal and binary", () => {
  assert.equal(parseRate("5MB/s"), 5_000_000);
  assert.equal(parseRate("5 MiB/s"), 5 * 1024 * 1024);
  assert.equal(parseRate("500k"), 500_000);
  assert.equal(parseRate("1.5M"), 1_500_000);
  assert.equal(parseRate("2048"), 2048);
  assert.equal(parseRate("20Mbps".replace("bps", "B/s")), 20_000_000);
  for (const none of ["0", "unlimited", "off", "None"]) assert.equal(parseRate(none), 0);
});

Deno.test("formatRate writes decimal units that parseRate reads back", () => {
  assert.equal(formatRate(5_000_000), "5 MB/s");
  assert.equal(formatRate(1024 * 1024), "1.05 MB/s");
  assert.equal(formatRate(500_000), "500 KB/s");
  assert.equal(formatRate(999), "999 B/s");
  assert.equal(formatRate(0), "unlimited");
  assert.equal(parseRate(formatRate(20_000_000)), 20_000_000);
});

Deno.test("parseRate and checkRate refuse what is not a rate with BAD_REQUEST", () => {
  for (const bad of ["", "fast", "-5MB/s", "5 parsecs", "1e9", "200GB/s"]) {
    assert.throws(() => parseRate(bad), { code: "BAD_REQUEST" }, bad);
  }
  for (const bad of [-1, 1.5, "5", Infinity, null]) {
    assert.throws(() => checkRate(bad), { code: "BAD_REQUEST" }, String(bad));
  }
  assert.equal(checkRate(0), 0);
});
