import assert from "node:assert/strict";
import { join } from "node:path";
import { newItem, Wishlist } from "./wishlist.ts";

Deno.test("records of the older layout move to listing order; a half-listed item is listed anew", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hdp-wishlist-" });
  try {
    const path = join(dir, "kv.sqlite3");
    {
      using kv = await Deno.openKv(path);
      const item = (id: string, expanded: boolean) => ({
        id,
        expanded,
        peer: { keyHex: "ab", name: "Peer" },
        path: "share/x",
        state: "queued",
        files: 0,
        filesDone: 0,
        filesFailed: 0,
        bytes: 0,
        bytesDone: 0,
      });
      await kv.set(["dl", "item", "full"], item("full", true));
      await kv.set(["dl", "item", "half"], item("half", false));
      for (const name of ["b", "a", "c"]) {
        const file = { itemId: "full", remotePath: `share/x/${name}`, size: 1, mtime: 0 };
        await kv.set(["dl", "file", "full", file.remotePath], { ...file, state: "queued" });
      }
      await kv.set(["dl", "file", "half", "share/x/z"], {
        itemId: "half",
        remotePath: "share/x/z",
        size: 1,
        mtime: 0,
        state: "queued",
      });
    }
    using kv = await Deno.openKv(path);
    const wishlist = await Wishlist.open(kv);
    const files = await wishlist.files("full");
    assert.deepEqual(files.map((f) => [f.seq, f.remotePath]), [
      [0, "share/x/a"],
      [1, "share/x/b"],
      [2, "share/x/c"],
    ]);
    assert.deepEqual(await wishlist.files("full", { after: 0 }).then((f) => f.length), 2);
    assert.deepEqual(await wishlist.files("half"), []);
    const items = await wishlist.items();
    assert.equal(items.find((i) => i.id === "full")?.listed, 3);
    assert.equal(items.find((i) => i.id === "half")?.listed, undefined);
    assert.equal((await Array.fromAsync(kv.list({ prefix: ["dl", "file"] }))).length, 0);
    // opening again changes nothing
    await Wishlist.open(kv);
    assert.equal((await wishlist.files("full")).length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reasons saved as text before they had codes are read with one", async () => {
  using kv = await Deno.openKv(":memory:");
  const base = newItem({ keyHex: "ab", name: "Peer" }, ["Peer", "Share", "a"]);
  const old = (state: string, reason: string) => ({ ...base, id: state + reason, state, reason });
  await kv.set(["dl", "item", "1"], old("paused", "paused"));
  await kv.set(["dl", "item", "2"], old("paused", "No space left on device"));
  await kv.set(["dl", "item", "3"], old("failed", "2 of 5 files failed"));
  const items = await (await Wishlist.open(kv)).items();
  const byId = new Map(items.map((item) => [item.id, item]));
  const user = byId.get("pausedpaused")!;
  assert.equal(user.problem, undefined);
  assert.ok(!("reason" in user));
  assert.deepEqual(byId.get("pausedNo space left on device")!.problem, {
    code: "IO",
    message: "No space left on device",
  });
  assert.deepEqual(byId.get("failed2 of 5 files failed")!.problem, {
    code: "INTERNAL",
    message: "2 of 5 files failed",
  });
});
