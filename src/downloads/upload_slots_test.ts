import assert from "node:assert/strict";
import { UploadSlots } from "./upload_slots.ts";

Deno.test("slots are granted at once while free, then queued with positions", async () => {
  const slots = new UploadSlots(2);
  const r1 = await slots.acquire("a", () => {});
  const r2 = await slots.acquire("a", () => {});
  const positions: number[] = [];
  let granted = false;
  const third = slots.acquire("b", (p) => positions.push(p)).then((release) => {
    granted = true;
    return release;
  });
  assert.deepEqual(positions, [1]);
  assert.equal(granted, false);
  r1();
  const r3 = await third;
  assert.ok(granted);
  assert.deepEqual(slots.snapshot(), { active: 2, queued: 0 });
  r2();
  r3();
  r3(); // releasing twice is harmless
  assert.deepEqual(slots.snapshot(), { active: 0, queued: 0 });
});

Deno.test("the queue is fair across peers, not first come first served", async () => {
  const slots = new UploadSlots(1);
  const running = await slots.acquire("greedy", () => {});
  const order: string[] = [];
  const waits = [
    ["greedy", 1],
    ["greedy", 2],
    ["greedy", 3],
    ["polite", 1],
    ["late", 1],
  ].map(([peer, n]) =>
    slots.acquire(peer as string, () => {}).then((release) => {
      order.push(`${peer}${n}`);
      release();
    })
  );
  // greedy already runs one upload: the others go first, then greedy's in its own order
  assert.deepEqual(slots.order(), ["polite", "late", "greedy", "greedy", "greedy"]);
  running();
  await Promise.all(waits);
  assert.deepEqual(order, ["polite1", "late1", "greedy1", "greedy2", "greedy3"]);
});

Deno.test("positions change as the queue moves, and a requester that leaves frees its place", async () => {
  const slots = new UploadSlots(1);
  const running = await slots.acquire("x", () => {});
  const seen: Record<string, number[]> = { a: [], b: [], c: [] };
  const leave = new AbortController();
  const a = slots.acquire("a", (p) => seen.a!.push(p));
  const b = slots.acquire("b", (p) => seen.b!.push(p), leave.signal);
  const c = slots.acquire("c", (p) => seen.c!.push(p));
  leave.abort();
  await assert.rejects(b, { code: "UNAVAILABLE" });
  assert.deepEqual(seen.c, [3, 2]);
  running();
  (await a)();
  (await c)();
  assert.deepEqual(seen.a, [1]);
  assert.deepEqual(seen.b, [2]);
  assert.deepEqual(slots.snapshot(), { active: 0, queued: 0 });
});
