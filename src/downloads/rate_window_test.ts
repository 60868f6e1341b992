import assert from "node:assert/strict";
import { RateWindow } from "./rate_window.ts";

Deno.test("a steady rate is shown whole after the first second, not halved", () => {
  const rate = new RateWindow(3000);
  rate.restart(0);
  rate.add(115 * 2 ** 20);
  assert.equal(rate.sample(1000), 115 * 2 ** 20);
  rate.add(115 * 2 ** 20);
  assert.equal(rate.sample(2000), 115 * 2 ** 20);
});

Deno.test("a late sample divides by the time that really passed", () => {
  const rate = new RateWindow(3000);
  rate.restart(0);
  rate.add(3000);
  assert.equal(rate.sample(2500), 1200);
});

Deno.test("the rate follows a change within the window", () => {
  const rate = new RateWindow(3000);
  rate.restart(0);
  for (let s = 1; s <= 5; s++) {
    rate.add(1000);
    rate.sample(s * 1000);
  }
  for (let s = 6; s <= 8; s++) {
    rate.add(100_000);
    rate.sample(s * 1000);
  }
  rate.add(100_000);
  assert.equal(rate.sample(9000), 100_000);
});

Deno.test("the rate drops to 0 once nothing arrived for the whole window", () => {
  const rate = new RateWindow(3000);
  rate.restart(0);
  rate.add(5000);
  rate.sample(1000);
  for (let s = 2; s <= 5; s++) rate.sample(s * 1000);
  assert.equal(rate.sample(6000), 0);
});

Deno.test("a first sample with no time behind it is 0, not a division by zero", () => {
  const rate = new RateWindow();
  rate.add(10);
  assert.equal(rate.sample(5), 0);
});
