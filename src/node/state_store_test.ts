import assert from "node:assert/strict";
import { join } from "node:path";
import { newItem, Wishlist } from "../downloads/mod.ts";
import { PeerStore } from "../transport/mod.ts";
import { EventBus } from "./events.ts";
import { isCorruption, observeKv } from "./observed_kv.ts";
import { JOURNAL_FILE } from "./state_journal.ts";
import { DAMAGE_MARK_FILE, KV_FILE, StateStore } from "./state_store.ts";

const PEER = { keyHex: "ef".repeat(32), name: "Peer" };

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hdp-state-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A store with a queued download, a known peer and `filler` entries after them. */
async function storeWithData(dir: string, filler = 0): Promise<void> {
  const store = await StateStore.open(dir);
  const wishlist = await Wishlist.open(store.kv);
  await wishlist.putItem({ ...newItem(PEER, ["Peer", "Music"]), id: "wanted" });
  await new PeerStore(store.kv).put({
    keyHex: PEER.keyHex,
    address: { ip: "127.0.0.1", port: 4000 },
    source: "manual",
    lastSeen: 1,
  });
  for (let i = 0; i < filler; i++) await store.kv.set(["x", i], "y".repeat(300));
  await store.close();
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

const damages: [string, (file: string) => Promise<void>][] = [
  ["truncated", (file) => Deno.truncate(file, 1000)],
  ["garbage", (file) => Deno.writeFile(file, crypto.getRandomValues(new Uint8Array(65536)))],
  ["zeroed-page", async (file) => {
    using handle = await Deno.open(file, { write: true });
    await handle.seek(4096, Deno.SeekMode.Start);
    await handle.write(new Uint8Array(4096));
  }],
];

for (const [kind, damage] of damages) {
  Deno.test(`a ${kind} state.kv is moved aside and the journal restores a fresh store`, async () => {
    await withDir(async (dir) => {
      await storeWithData(dir, 200);
      await damage(join(dir, KV_FILE));
      const store = await StateStore.open(dir);
      try {
        const problem = store.problem();
        assert.equal(problem?.code, "IO");
        assert.match(problem?.message ?? "", /^state\.kv was damaged \(.+\): moved aside to /);
        assert.match(problem?.message ?? "", /restored 1 download and 1 peer from state-backup/);
        const aside = (await names(dir)).filter((n) => n.startsWith(`${KV_FILE}.damaged-`));
        assert.equal(aside.length >= 1, true, `${await names(dir)}`);
        assert.match(aside[0]!, /^state\.kv\.damaged-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
        const items = await (await Wishlist.open(store.kv)).items();
        assert.deepEqual(items.map((i) => [i.id, i.state, i.expanded]), [[
          "wanted",
          "queued",
          false,
        ]]);
        assert.equal((await new PeerStore(store.kv).all()).length, 1);
      } finally {
        await store.close();
      }
      // the next start finds a sound store: nothing to say
      const again = await StateStore.open(dir);
      assert.equal(again.problem(), undefined);
      await again.close();
    });
  });
}

Deno.test("a deleted state.kv comes back from the journal, and info says so", async () => {
  await withDir(async (dir) => {
    await storeWithData(dir);
    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(join(dir, KV_FILE + suffix)).catch(() => {});
    }
    const store = await StateStore.open(dir);
    assert.equal(store.problem()?.code, "NOT_FOUND");
    assert.match(store.problem()?.message ?? "", /^state\.kv was missing: .*restored 1 download/);
    assert.deepEqual(store.restored?.items.map((i) => i.id), ["wanted"]);
    await store.close();
  });
});

Deno.test("a first start without a journal has nothing to report", async () => {
  await withDir(async (dir) => {
    const store = await StateStore.open(dir);
    assert.equal(store.problem(), undefined);
    assert.equal(store.restored, undefined);
    await store.close();
    // the clean stop wrote an (empty) journal
    assert.equal((await names(dir)).includes(JOURNAL_FILE), true);
  });
});

Deno.test("a journal that cannot be read is kept aside and nothing is restored", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, JOURNAL_FILE), "{ not json");
    const store = await StateStore.open(dir);
    assert.equal(store.restored, undefined);
    await store.close();
    assert.equal((await names(dir)).some((n) => n.startsWith(`${JOURNAL_FILE}.corrupt-`)), true);
  });
});

Deno.test("a journal of a future version is kept aside, not read", async () => {
  await withDir(async (dir) => {
    const future = { format: "harddrive-party state backup", version: 9, items: [], peers: [] };
    await Deno.writeTextFile(join(dir, JOURNAL_FILE), JSON.stringify(future));
    const store = await StateStore.open(dir);
    assert.equal(store.restored, undefined);
    await store.close();
    assert.equal((await names(dir)).some((n) => n.startsWith(`${JOURNAL_FILE}.newer-`)), true);
  });
});

Deno.test("damage found while running is reported, never thrown away, and the next start moves the store aside", async () => {
  await withDir(async (dir) => {
    await storeWithData(dir, 3000);
    const file = join(dir, KV_FILE);
    const pages = Math.floor((await Deno.stat(file)).size / 4096);
    {
      // a page deep in the filler: the start's own reads and writes do not touch it
      using handle = await Deno.open(file, { write: true });
      await handle.seek((pages - 3) * 4096, Deno.SeekMode.Start);
      await handle.write(new Uint8Array(4096));
    }
    let told = 0;
    const store = await StateStore.open(dir, { onProblem: () => told++ });
    assert.equal(store.problem(), undefined);
    await assert.rejects(() => Array.fromAsync(store.kv.list({ prefix: ["x"] })), /malformed/);
    assert.equal(told, 1);
    assert.equal(store.problem()?.code, "IO");
    assert.match(store.problem()?.message ?? "", /^state\.kv is damaged .*next start moves it/);
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the mark is written in the background
    assert.equal((await names(dir)).includes(DAMAGE_MARK_FILE), true);
    const next = await StateStore.open(dir);
    assert.equal(next.problem()?.code, "IO");
    assert.match(next.problem()?.message ?? "", /moved aside to .*restored 1 download/);
    assert.equal((await names(dir)).includes(DAMAGE_MARK_FILE), false);
    await next.close();
  });
});

Deno.test("the journal is written a moment after a change, not at once", async () => {
  await withDir(async (dir) => {
    const store = await StateStore.open(dir, { journalDelayMs: 100 });
    const events = new EventBus();
    store.follow(events);
    await (await Wishlist.open(store.kv)).putItem({ ...newItem(PEER, ["Peer", "a"]), id: "a" });
    const item = { id: "a", state: "queued" } as const;
    events.emit({ type: "download", item: item as never });
    const journal = join(dir, JOURNAL_FILE);
    assert.equal((await names(dir)).includes(JOURNAL_FILE), false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.match(await Deno.readTextFile(journal), /"id":"a"/);
    await store.close();
  });
});

Deno.test("a corruption error is told apart from other KV errors", () => {
  assert.equal(isCorruption(new Error("database disk image is malformed")), true);
  assert.equal(isCorruption(new TypeError("file is not a database")), true);
  assert.equal(isCorruption(new Error("SQLITE_CORRUPT: x")), true);
  assert.equal(isCorruption(new Error("database is locked")), false);
  assert.equal(isCorruption(new Error("No space left on device")), false);
});

Deno.test("a watched store hands every answer through, chained atomic operations too", async () => {
  using raw = await Deno.openKv(":memory:");
  const seen: unknown[] = [];
  const kv = observeKv(raw, (error) => seen.push(error));
  const result = await kv.atomic().set(["a"], 1).set(["b"], 2).commit();
  assert.equal(result.ok, true);
  assert.deepEqual((await Array.fromAsync(kv.list({ prefix: [] }))).map((e) => e.value), [1, 2]);
  assert.equal((await kv.get(["b"])).value, 2);
  await assert.rejects(() => kv.set([], 1)); // refused, but not damage
  assert.equal(seen.length, 0);
});
