import assert from "node:assert/strict";
import { type Clock, type Priority, Throttle } from "./throttle.ts";
import { TokenBucket } from "./token_bucket.ts";
import { TrafficMeter } from "./traffic_meter.ts";

/** A clock whose time moves only when the test says, running the timers that fall due. */
function fakeClock(start = 1_000_000): Clock & { advance(ms: number): Promise<void> } {
  let now = start;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    now: () => now,
    later(fn, ms) {
      const id = ids++;
      timers.push({ at: now + ms, fn, id });
      return () => void (timers = timers.filter((t) => t.id !== id));
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.fn();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

/** A transfer of `chunk`-byte writes for as long as the test runs; counts what it was let move. */
function transfer(
  throttle: Throttle,
  flow: string,
  chunk: number,
  priority: Priority = "bulk",
): { moved: () => number; stop: () => void } {
  let moved = 0;
  let stopped = false;
  (async () => {
    while (!stopped) {
      const wait = throttle.take(flow, chunk, { priority });
      if (wait) await wait;
      moved += chunk;
    }
  })();
  return { moved: () => moved, stop: () => void (stopped = true) };
}

const KB = 1000;
const MB = 1000 * KB;

Deno.test("a throttle holds one transfer to its rate over seconds, whatever its chunk size", async () => {
  for (const chunk of [64 * 1024, 1024 * 1024]) {
    const clock = fakeClock();
    const throttle = new Throttle(2 * MB, clock);
    const t = transfer(throttle, "ann", chunk);
    await clock.advance(20_000);
    t.stop();
    const rate = t.moved() / 20;
    assert.ok(Math.abs(rate - 2 * MB) < 0.03 * 2 * MB, `${chunk}: ${rate} B/s`);
  }
});

Deno.test("two peers share the limit evenly, and a capped peer leaves the rest to the other", async () => {
  const clock = fakeClock();
  const throttle = new Throttle(2 * MB, clock);
  const ann = transfer(throttle, "ann", 1024 * 1024);
  const bob = transfer(throttle, "bob", 64 * 1024); // smaller chunks do not get it less
  await clock.advance(30_000);
  const [a, b] = [ann.moved() / 30, bob.moved() / 30];
  assert.ok(Math.abs(a - MB) < 0.1 * MB && Math.abs(b - MB) < 0.1 * MB, `${a} and ${b}`);

  throttle.setFlowRate("ann", 200 * KB);
  const [a0, b0] = [ann.moved(), bob.moved()];
  await clock.advance(30_000);
  ann.stop();
  bob.stop();
  const capped = (ann.moved() - a0) / 30;
  const rest = (bob.moved() - b0) / 30;
  assert.ok(Math.abs(capped - 200 * KB) < 0.15 * 200 * KB, `capped ${capped}`);
  assert.ok(Math.abs(rest - 1.8 * MB) < 0.1 * 1.8 * MB, `the other ${rest}`);
  assert.equal(throttle.flowRate("ann"), 200 * KB);
});

Deno.test("an interactive request goes ahead of the bulk ones waiting", async () => {
  const clock = fakeClock();
  const throttle = new Throttle(1 * MB, clock);
  const order: string[] = [];
  const ask = (name: string, priority: Priority) => {
    const wait = throttle.take(name, 500 * KB, { priority });
    (wait ?? Promise.resolve()).then(() => order.push(name));
  };
  ask("bulk-1", "bulk"); // its first pieces go at once, the rest waits
  ask("bulk-2", "bulk");
  ask("bulk-3", "bulk");
  ask("listing", "interactive");
  await clock.advance(5000);
  // the listing passes even the bulk request half granted already
  assert.deepEqual(order, ["listing", "bulk-1", "bulk-2", "bulk-3"]);
});

Deno.test("a raised limit takes effect at the next grant, and 0 lifts it", async () => {
  const clock = fakeClock();
  const throttle = new Throttle(100 * KB, clock);
  const t = transfer(throttle, "ann", 256 * 1024);
  await clock.advance(10_000);
  const slow = t.moved();
  assert.ok(slow / 10 < 150 * KB, `${slow / 10}`); // 100 KB/s, and one chunk's edge in 10 s
  throttle.setRate(10 * MB);
  await clock.advance(1000);
  assert.ok(t.moved() - slow > 5 * MB, `after the change: ${t.moved() - slow} in 1 s`);
  throttle.setRate(0);
  assert.equal(throttle.take("ann", 1), undefined, "unlimited: no wait at all");
  t.stop();
});

Deno.test("a withdrawn wait rejects with its reason and frees its turn", async () => {
  const clock = fakeClock();
  const throttle = new Throttle(1 * MB, clock);
  throttle.take("ann", 2 * MB); // into debt for two seconds
  const abort = new AbortController();
  const gone = throttle.take("bob", 1000, { signal: abort.signal })!;
  const next = throttle.take("cid", 1000)!;
  abort.abort(new Error("the reader left"));
  await assert.rejects(gone, /the reader left/);
  await clock.advance(2100);
  await next;
});

Deno.test("an unlimited throttle answers at once and still counts", () => {
  const clock = fakeClock();
  const throttle = new Throttle(0, clock);
  for (let i = 0; i < 100; i++) assert.equal(throttle.take("ann", 10_000), undefined);
  assert.equal(throttle.total, 1_000_000);
});

Deno.test("the traffic meter's rate is the mean of the two whole seconds before now", () => {
  const meter = new TrafficMeter();
  meter.add(1000, 10_000);
  meter.add(3000, 11_500);
  meter.add(9999, 12_100); // the current second: not counted yet
  assert.equal(meter.rate(12_500), 2000);
  assert.deepEqual(meter.history(12_500, 3), [0, 1000, 3000]);
  assert.equal(meter.rate(60_000), 0, "long quiet");
});

Deno.test("a token bucket in debt waits until it has filled back to zero", () => {
  const bucket = new TokenBucket(1000, 0);
  bucket.take(100 + 64 * 1024, 0); // the burst (64 KiB at least) and 100 more
  assert.equal(bucket.waitMs(0), 100);
  assert.equal(bucket.waitMs(100), 0);
  bucket.setRate(0, 100);
  assert.equal(bucket.waitMs(100), 0);
});
