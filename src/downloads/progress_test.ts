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

Deno.test("the speed is the bytes of the last seconds over the time they took", () => {
  const progress = new Progress();
  progress.tick(false, 0);
  progress.add(1000);
  assert.ok(progress.tick(true, 1000));
  assert.equal(progress.speed, 1000);
  progress.add(3000);
  progress.tick(true, 2000);
  assert.equal(progress.speed, 2000);
  assert.ok(!progress.tick(false, 3000) && progress.speed === 0);
});

Deno.test("bytes that came while no transfer ran at the tick still show a speed", () => {
  const progress = new Progress();
  progress.tick(true, 0);
  progress.add(500);
  assert.ok(progress.tick(false, 1000));
  assert.equal(progress.speed, 500);
});

Deno.test("an item whose listing is not complete says so; a listed one does not", () => {
  const unlisted = { ...record, expanded: false, files: 0, bytes: 0, bytesDone: 0, filesDone: 0 };
  assert.equal(itemView(unlisted, { inFlight: 0, speed: 0 }).listing, true);
  assert.equal(itemView(record, { inFlight: 0, speed: 0 }).listing, undefined);
  const file = { ...unlisted, isDir: false };
  assert.equal(itemView(file, { inFlight: 0, speed: 0 }).listing, true, "not known to be a file");
  assert.equal(
    itemView({ ...unlisted, state: "done" }, { inFlight: 0, speed: 0 }).listing,
    undefined,
  );
});

Deno.test("news is throttled unless forced", () => {
  const progress = new Progress();
  assert.ok(progress.mayEmit(1000, false));
  assert.ok(!progress.mayEmit(1100, false));
  assert.ok(progress.mayEmit(1100, true));
  assert.ok(progress.mayEmit(1400, false));
});
