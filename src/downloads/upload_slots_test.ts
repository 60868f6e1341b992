import assert from "node:assert/strict";
import { MAX_QUEUED, UploadSlots } from "./upload_slots.ts";

Deno.test("slots are granted at once while free, then queued with positions", async () => {
  const slots = new UploadSlots(2);
  const r1 = await slots.acquire("a", () => {});
  const r2 = await slots.acquire("a", () => {});
  const positions: number[] = [];
  let granted = false;
  const third = slots.acquire("b", (p) => positions.push(p)).then((slot) => {
    granted = true;
    return slot;
  });
  assert.deepEqual(positions, [1]);
  assert.equal(granted, false);
  r1.release();
  const r3 = await third;
  assert.ok(granted);
  assert.deepEqual(slots.snapshot(), { active: 2, queued: 0 });
  r2.release();
  r3.release();
  r3.release(); // releasing twice is harmless
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
    slots.acquire(peer as string, () => {}).then((slot) => {
      order.push(`${peer}${n}`);
      slot.release();
    })
  );
  // greedy already runs one upload: the others go first, then greedy's in its own order
  assert.deepEqual(slots.order(), ["polite", "late", "greedy", "greedy", "greedy"]);
  running.release();
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
  running.release();
  (await a).release();
  (await c).release();
  assert.deepEqual(seen.a, [1]);
  assert.deepEqual(seen.b, [2]);
  assert.deepEqual(slots.snapshot(), { active: 0, queued: 0 });
});

Deno.test("a peer that took every slot while alone yields its newest when another peer waits", async () => {
  const slots = new UploadSlots(3);
  const held = [
    await slots.acquire("hog", () => {}),
    await slots.acquire("hog", () => {}),
    await slots.acquire("hog", () => {}),
  ];
  // its own further reads wait without taking anything from it
  const more = slots.acquire("hog", () => {});
  assert.deepEqual(held.map((s) => s.yielded.aborted), [false, false, false]);
  const other = slots.acquire("friend", () => {});
  assert.deepEqual(held.map((s) => s.yielded.aborted), [false, false, true]);
  assert.equal(held[2]!.yielded.reason.code, "BUSY");
  // a second waiter takes nothing more: the yielded slot is on its way
  const third = slots.acquire("stranger", () => {});
  assert.deepEqual(held.map((s) => s.yielded.aborted), [false, false, true]);
  held[2]!.release(); // the upload ended
  const friend = await other;
  assert.equal(friend.yielded.aborted, false);
  assert.deepEqual(slots.snapshot(), { active: 3, queued: 2 });
  held[0]!.release();
  (await third).release();
  held[1]!.release();
  friend.release();
  (await more).release();
  assert.deepEqual(slots.snapshot(), { active: 0, queued: 0 });
});

Deno.test("with one slot nothing is yielded: the stall timeout is what frees it", async () => {
  const slots = new UploadSlots(1);
  const held = await slots.acquire("hog", () => {});
  const other = slots.acquire("friend", () => {});
  assert.equal(held.yielded.aborted, false);
  held.release();
  (await other).release();
});

Deno.test("a peer, and the node, may queue only so many reads: past that, BUSY at once", async () => {
  const slots = new UploadSlots(1);
  const held = await slots.acquire("x", () => {});
  const leave = new AbortController();
  const mine = Array.from(
    { length: MAX_QUEUED.perPeer },
    () => slots.acquire("greedy", () => {}, leave.signal).catch((e) => e),
  );
  await assert.rejects(slots.acquire("greedy", () => {}), { code: "BUSY" });
  const others = Array.from(
    { length: MAX_QUEUED.total - MAX_QUEUED.perPeer },
    (_, i) => slots.acquire(`peer${i % 100}`, () => {}, leave.signal).catch((e) => e),
  );
  await assert.rejects(slots.acquire("newcomer", () => {}), { code: "BUSY" });
  leave.abort();
  await Promise.all([...mine, ...others]);
  assert.deepEqual(slots.snapshot(), { active: 1, queued: 0 });
  held.release();
});

Deno.test("more slots start the waiting uploads at once; fewer hold back the next ones only", async () => {
  const slots = new UploadSlots(1);
  const first = await slots.acquire("a", () => {});
  const second = slots.acquire("b", () => {});
  assert.deepEqual(slots.snapshot(), { active: 1, queued: 1 });
  slots.setSlots(2);
  const granted = await second;
  assert.deepEqual(slots.snapshot(), { active: 2, queued: 0 });
  slots.setSlots(1); // both go on
  let third = false;
  const next = slots.acquire("c", () => {}).then((slot) => {
    third = true;
    return slot;
  });
  first.release();
  await Promise.resolve();
  assert.equal(third, false, "one slot, still taken by b");
  granted.release();
  (await next).release();
  assert.ok(third);
  assert.throws(() => slots.setSlots(0), { code: "BAD_REQUEST" });
});
