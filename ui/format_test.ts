import assert from "node:assert/strict";
import { formatBytes, formatClock, formatEta, formatSpeed, percent, plural } from "./format.ts";

Deno.test("formatBytes uses binary units like the CLI", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(200 * 1024 ** 2), "200 MiB");
  assert.equal(formatBytes(3.25 * 1024 ** 3), "3.3 GiB");
});

Deno.test("formatSpeed says nothing while idle", () => {
  assert.equal(formatSpeed(0), "");
  assert.equal(formatSpeed(2_500_000), "2.5 MB/s");
  assert.equal(formatSpeed(12_200), "12.2 kB/s", "as the bandwidth card says it");
});

Deno.test("formatEta grows coarser with the time left and says nothing when unknown", () => {
  assert.equal(formatEta(undefined), "");
  assert.equal(formatEta(Infinity), "");
  assert.equal(formatEta(44.2), "45 s");
  assert.equal(formatEta(200), "3 min 20 s");
  assert.equal(formatEta(1500), "25 min");
  assert.equal(formatEta(2 * 3600 + 5 * 60), "2 h 05 min");
  assert.equal(formatEta(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
});

Deno.test("percent stays within 0 to 100 and reaches 100 only when done", () => {
  assert.equal(percent(0, 0), 100);
  assert.equal(percent(999, 1000), 99);
  assert.equal(percent(1000, 1000), 100);
  assert.equal(percent(5000, 1000), 100);
});

Deno.test("plural counts with a separator and the right noun", () => {
  assert.equal(plural(1, "file"), "1 file");
  assert.equal(plural(12345, "file"), "12,345 files");
});

Deno.test("formatClock shows minutes and seconds, hours when long, a dash while unknown", () => {
  assert.equal(formatClock(0), "0:00");
  assert.equal(formatClock(7.9), "0:07");
  assert.equal(formatClock(205), "3:25");
  assert.equal(formatClock(3729), "1:02:09");
  assert.equal(formatClock(undefined), "–:––");
  assert.equal(formatClock(Number.NaN), "–:––");
});
