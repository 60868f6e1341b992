import assert from "node:assert/strict";
import { parseRate } from "../src/api/light.ts";
import { errorCode, errorMessage } from "./errors.ts";
import {
  capText,
  formatRate,
  limitText,
  rateAgainstLimit,
  rateInputText,
  readRate,
} from "./rates.ts";

Deno.test("rates read in decimal units, as limits are typed", () => {
  assert.equal(formatRate(0), "0 B/s");
  assert.equal(formatRate(999), "999 B/s");
  assert.equal(formatRate(512_000), "512 kB/s");
  assert.equal(formatRate(1_249_000), "1.2 MB/s");
  assert.equal(formatRate(5_000_000), "5 MB/s");
  assert.equal(formatRate(123_456_789), "123 MB/s");
  assert.equal(formatRate(2.5e9), "2.5 GB/s");
});

Deno.test("a limit of 0 is unlimited, and a rate is told against its limit", () => {
  assert.equal(limitText(0), "unlimited");
  assert.equal(limitText(5_000_000), "5 MB/s");
  assert.equal(rateAgainstLimit(1_200_000, 5_000_000), "1.2 MB/s of 5 MB/s");
  assert.equal(rateAgainstLimit(1_200_000, 0), "1.2 MB/s, unlimited");
});

Deno.test("a limit's input text reads back as exactly the same rate", () => {
  const cases: [number, string][] = [
    [0, "unlimited"],
    [5_000_000, "5 MB/s"],
    [1_572_864, "1.5 MiB/s"],
    [512 * 1024, "512 KiB/s"],
    [2_500_000, "2.5 MB/s"],
    [1_234_567, "1234567 B/s"],
    [999, "999 B/s"],
    [3 * 1024 ** 3, "3 GiB/s"],
  ];
  for (const [rate, text] of cases) {
    assert.equal(rateInputText(rate), text);
    assert.equal(parseRate(text), rate, text);
  }
});

Deno.test("a rate that does not parse is refused with the input's name and parseRate's code", () => {
  assert.equal(readRate("5MB/s", "Upload limit"), 5_000_000);
  assert.equal(readRate(" unlimited ", "Upload limit"), 0);
  try {
    readRate("fast", "Upload limit");
    assert.fail("readRate accepted a word");
  } catch (error) {
    assert.equal(errorCode(error), "BAD_REQUEST");
    assert.match(errorMessage(error), /^Upload limit: Not a rate: "fast"/);
  }
});

Deno.test("a peer's caps read as one rate when both ways are the same", () => {
  assert.equal(capText(undefined), "none");
  assert.equal(capText({ upload: 0, download: 0 }), "none");
  assert.equal(capText({ upload: 1e6, download: 1e6 }), "1 MB/s");
  assert.equal(capText({ upload: 1e6, download: 0 }), "↑ 1 MB/s · ↓ unlimited");
});
