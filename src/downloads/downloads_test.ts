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

Deno.test("an item whose files all came in finishes, even when its peer is away by then", async () => {
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
      assert.equal(downloads.list()[0]?.state, "done");
      assert.equal(downloads.list()[0]?.waitingForPeer, undefined, "nothing waits any more");
    } finally {
      await downloads.close();
    }
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
