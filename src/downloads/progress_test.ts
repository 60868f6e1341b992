import assert from "node:assert/strict";
import { itemView, Progress } from "./progress.ts";
import type { ItemRecord } from "./wishlist.ts";

const record: ItemRecord = {
  id: "i",
  peer: { keyHex: "ab", name: "Peer" },
  path: "Share/Album",
  isDir: true,
  state: "downloading",
  createdAt: 1,
  order: 0,
  expanded: true,
  files: 10,
  filesDone: 4,
  filesFailed: 0,
  bytes: 1000,
  bytesDone: 400,
  localPath: "Peer/Share/Album",
};

Deno.test("bytes done count the files under way, never beyond the item's size", () => {
  assert.equal(itemView(record, { inFlight: 250, speed: 0 }).bytesDone, 650);
  assert.equal(itemView(record, { inFlight: 9999, speed: 0 }).bytesDone, 1000);
  assert.equal(itemView({ ...record, bytes: 0 }, { inFlight: 50, speed: 0 }).bytesDone, 400);
});

Deno.test("the time left follows the speed; places in queues show only when there are any", () => {
  const view = itemView(record, { inFlight: 100, speed: 50, queuePosition: 2, remotePosition: 0 });
  assert.equal(view.eta, 10);
  assert.equal(view.queuePosition, 2);
  assert.equal(view.remotePosition, 0);
  const still = itemView(record, { inFlight: 0, speed: 0 });
  assert.equal(still.eta, undefined);
  assert.equal(still.queuePosition, undefined);
  assert.equal(still.remotePosition, undefined);
});

Deno.test("the speed is smoothed each second and drops to 0 when nothing runs", () => {
  const progress = new Progress();
  progress.add(1000);
  assert.ok(progress.tick(true));
  assert.equal(progress.speed, 500);
  progress.add(1000);
  progress.tick(true);
  assert.equal(progress.speed, 750);
  assert.ok(!progress.tick(false) && progress.speed === 0);
});

Deno.test("news is throttled unless forced", () => {
  const progress = new Progress();
  assert.ok(progress.mayEmit(1000, false));
  assert.ok(!progress.mayEmit(1100, false));
  assert.ok(progress.mayEmit(1100, true));
  assert.ok(progress.mayEmit(1400, false));
});
