import assert from "node:assert/strict";
import { journalItems, restoredItem } from "./wishlist_journal.ts";
import { newItem, Wishlist } from "./wishlist.ts";

const PEER = { keyHex: "cd".repeat(32), name: "Peer" };

Deno.test("a restored unfinished folder is listed again, its counts reset", () => {
  const item = {
    ...newItem(PEER, ["Peer", "Music"]),
    isDir: true,
    state: "downloading" as const,
    expanded: true,
    listed: 500,
    listCursor: "c",
    files: 900,
    filesDone: 400,
    filesFailed: 2,
    failedWith: "NOT_FOUND" as const,
    bytes: 9000,
    bytesDone: 4000,
  };
  const restored = restoredItem(item);
  assert.equal(restored.state, "queued");
  assert.equal(restored.expanded, false);
  assert.deepEqual(
    [restored.files, restored.filesDone, restored.filesFailed, restored.bytes, restored.bytesDone],
    [0, 0, 0, 0, 0],
  );
  assert.equal("listed" in restored || "listCursor" in restored || "failedWith" in restored, false);
  assert.equal(restored.localPath, "Peer/Music");
});

Deno.test("a restored paused item stays paused, a finished one stays as it was", () => {
  const paused = { ...newItem(PEER, ["Peer", "a.bin"]), state: "paused" as const };
  assert.equal(restoredItem(paused).state, "paused");
  const done = {
    ...newItem(PEER, ["Peer", "b.bin"]),
    state: "done" as const,
    expanded: true,
    files: 1,
    filesDone: 1,
    bytes: 5,
    bytesDone: 5,
    finishedAt: 7,
  };
  assert.deepEqual(restoredItem(done), done);
});

Deno.test("the journal keeps unfinished items first, then the newest, in queue order", () => {
  const at = (n: number, state: "done" | "queued") => ({
    ...newItem(PEER, ["Peer", `f${n}`]),
    id: `i${n}`,
    createdAt: n,
    order: -n,
    state,
  });
  const items = [at(1, "queued"), at(2, "done"), at(3, "done"), at(4, "queued"), at(5, "done")];
  const { items: kept, left } = journalItems(items, 3);
  assert.deepEqual(kept.map((i) => i.id), ["i5", "i4", "i1"]);
  assert.equal(left, 2);
});

Deno.test("items exported from one wishlist import into a fresh one as restored items", async () => {
  using old = await Deno.openKv(":memory:");
  using fresh = await Deno.openKv(":memory:");
  const from = await Wishlist.open(old);
  const item = { ...newItem(PEER, ["Peer", "Music"]), isDir: true, expanded: true, files: 4 };
  await from.putItem(item);
  await from.putFiles([{
    itemId: item.id,
    seq: 0,
    remotePath: "Music/a",
    size: 1,
    mtime: 0,
    state: "queued",
  }]);
  const { items, left } = await from.exportItems();
  assert.equal(left, 0);
  const to = await Wishlist.open(fresh);
  await to.importItems(items);
  const [back] = await to.items();
  assert.equal(back?.id, item.id);
  assert.equal(back?.expanded, false);
  assert.equal(back?.files, 0);
  assert.deepEqual(await to.files(item.id), []);
});
