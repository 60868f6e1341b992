import assert from "node:assert/strict";
import { Downloads } from "./downloads.ts";
import type { PeerAccess } from "./peer_access.ts";
import type { DownloadItem } from "./types.ts";
import { newItem, Wishlist } from "./wishlist.ts";

/** A peer that is never connected: nothing may be asked of it. */
const AWAY: PeerAccess = {
  isConnected: () => false,
  list: () => {
    throw new Error("listed a peer that is away");
  },
  read: () => Promise.reject(new Error("read from a peer that is away")),
  readMany: () => {
    throw new Error("read from a peer that is away");
  },
};

Deno.test("an item whose files all came in finishes, even when its peer is away by then, and replaces its earlier download", async () => {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/state.kv`);
  try {
    const wishlist = await Wishlist.open(kv);
    // interrupted (a crash, the peer gone) after its last file was written, before it was closed
    const item = {
      ...newItem({ keyHex: "ab".repeat(32), name: "Ann" }, ["Ann", "share", "a.txt"]),
      state: "downloading" as const,
      expanded: true,
      listed: 1,
      files: 1,
      filesDone: 1,
      bytes: 1,
      bytesDone: 1,
    };
    await wishlist.putListed(item, [{
      itemId: item.id,
      seq: 0,
      remotePath: "share/a.txt",
      size: 1,
      mtime: 0,
      state: "done",
    }]);
    // the same file downloaded before: the new one replaces its row once it is done
    const earlier = {
      ...newItem(item.peer, ["Ann", "share", "a.txt"]),
      state: "done" as const,
      expanded: true,
      createdAt: 0,
      finishedAt: 1,
    };
    await wishlist.putItem(earlier);
    const seen: DownloadItem[] = [];
    const finished = Promise.withResolvers<void>();
    const downloads = await Downloads.open(kv, AWAY, {
      downloadDir: dir,
      history: { add: () => finished.resolve() },
      onChange: (changed) => seen.push(changed),
    });
    try {
      await downloads.pump();
      await Promise.race([
        finished.promise,
        new Promise((_, reject) => setTimeout(() => reject(new Error("never finished")), 5000)),
      ]);
      await downloads.pump();
      assert.deepEqual(downloads.list().map((i) => [i.id, i.state]), [[item.id, "done"]]);
      assert.equal(downloads.list()[0]?.waitingForPeer, undefined, "nothing waits any more");
    } finally {
      await downloads.close();
    }
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const ANN = { keyHex: "ab".repeat(32), name: "Ann" };

/** A done item of Ann's `share/a.txt`, finished at `finishedAt`. */
function doneItem(finishedAt: number, path = "a.txt") {
  return {
    ...newItem(ANN, ["Ann", "share", path]),
    state: "done" as const,
    expanded: true,
    finishedAt,
  };
}

Deno.test("a file downloaded again is one done row, the newest; clear forgets done and failed", async () => {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/state.kv`);
  try {
    const wishlist = await Wishlist.open(kv);
    const older = doneItem(10);
    const newer = doneItem(20);
    const failed = { ...doneItem(30, "b.txt"), state: "failed" as const };
    const queued = newItem(ANN, ["Ann", "share", "c.txt"]);
    for (const record of [older, newer, failed, queued]) await wishlist.putItem(record);
    const removed: string[] = [];
    const downloads = await Downloads.open(kv, AWAY, {
      downloadDir: dir,
      history: { add: () => {} },
      onRemoved: (id) => removed.push(id),
    });
    try {
      assert.deepEqual(removed, [older.id]);
      assert.deepEqual(
        downloads.list().map((i) => i.id).sort(),
        [newer.id, failed.id, queued.id].sort(),
      );
      await assert.rejects(downloads.clear(["queued"]), { code: "BAD_REQUEST" });
      assert.deepEqual((await downloads.clear()).sort(), [newer.id, failed.id].sort());
      assert.deepEqual(downloads.list().map((i) => i.id), [queued.id]);
      assert.equal((await wishlist.items()).length, 1, "forgotten in the store too");
    } finally {
      await downloads.close();
    }
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
