/**
 * A damaged or deleted `state.kv`, with real daemons: the daemon starts anyway and says so in
 * `/api/info`; the wishlist and known peers come back from the journal; `.part` files no download
 * owns are moved into `.orphaned/`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

const damages: [string, (file: string) => Promise<void>][] = [
  ["truncated", (file) => Deno.truncate(file, 1000)],
  ["garbage", (file) => Deno.writeFile(file, crypto.getRandomValues(new Uint8Array(65536)))],
  ["zeroed-page", async (file) => {
    using handle = await Deno.open(file, { write: true });
    await handle.seek(4096, Deno.SeekMode.Start);
    await handle.write(new Uint8Array(4096));
  }],
];

Deno.test("a daemon whose state.kv is truncated, garbage or has a zeroed page still starts and names the problem", async () => {
  await using tmp = await tempDir();
  const share = join(tmp.path, "share");
  await Deno.mkdir(share);
  for (let i = 0; i < 200; i++) await Deno.writeTextFile(join(share, `file-${i}.txt`), `${i}`);
  const first = { storage: join(tmp.path, "base"), downloadDir: join(tmp.path, "dl") };
  {
    const daemon = await startDaemon({ ...first, shareDirs: [share] });
    await eventually(async () => (await daemon.client.shares())[0]?.files === 200 || undefined);
    assert.equal((await daemon.kill("SIGTERM")).code, 0);
  }
  for (const [kind, damage] of damages) {
    const storage = join(tmp.path, kind);
    await Deno.mkdir(storage);
    for await (const entry of Deno.readDir(first.storage)) {
      await Deno.copyFile(join(first.storage, entry.name), join(storage, entry.name));
    }
    for (const suffix of ["-wal", "-shm"]) {
      await Deno.remove(join(storage, `state.kv${suffix}`)).catch(() => {});
    }
    await damage(join(storage, "state.kv"));
    const daemon = await startDaemon({ storage, downloadDir: first.downloadDir });
    try {
      const info = await daemon.client.info();
      assert.equal(info.storageProblem?.code, "IO", kind);
      assert.match(
        info.storageProblem?.message ?? "",
        /^state\.kv was damaged \(.+\): moved aside to .*state\.kv\.damaged-/,
      );
      const aside = [...Deno.readDirSync(storage)].map((e) => e.name).filter((n) =>
        n.startsWith("state.kv.damaged-")
      );
      assert.equal(aside.length, 1, `${kind}: ${aside}`);
      assert.match(daemon.output(), /WARN +\[state\] the state store was damaged; moved it aside/);
      const cli = await runCli(["info", "--ui-address", daemon.uiAddress]);
      assert.match(cli.stdout, /^State store: +state\.kv was damaged/m);
      // the share is indexed again into the fresh store
      await eventually(async () => (await daemon.client.shares())[0]?.files === 200 || undefined);
    } finally {
      await daemon.kill("SIGTERM");
    }
  }
});

Deno.test("after state.kv is deleted the wishlist and known peers come back from the journal; orphaned parts are moved aside", async () => {
  await using tmp = await tempDir();
  const share = join(tmp.path, "Music");
  await Deno.mkdir(join(share, "Jazz"), { recursive: true });
  const song = new Uint8Array(3 * 1024 * 1024);
  for (let at = 0; at < song.length; at += 65536) {
    crypto.getRandomValues(song.subarray(at, at + 65536));
  }
  await Deno.writeFile(join(share, "Jazz", "So What.flac"), song);
  const dirsA = { storage: join(tmp.path, "a"), downloadDir: join(tmp.path, "a-dl") };
  const dirsB = { storage: join(tmp.path, "b"), downloadDir: join(tmp.path, "b-dl") };
  let a = await startDaemon({ ...dirsA, shareDirs: [share] });
  let b = await startDaemon(dirsB);
  try {
    const infoA = await a.client.info();
    await b.client.connect(infoA.announceAddress);
    await a.kill("SIGTERM");
    await eventually(async () =>
      (await b.client.peers()).find((p) => p.status !== "connected") ? true : undefined
    );
    // queued while the peer is away
    const queued = await b.client.download(infoA.name, "Music");
    assert.equal(queued.state, "queued");
    assert.equal((await b.kill("SIGTERM")).code, 0); // a clean stop writes the journal
    const journal = JSON.parse(await Deno.readTextFile(join(dirsB.storage, "state-backup.json")));
    assert.deepEqual(journal.items.map((i: { id: string }) => i.id), [queued.id]);
    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(join(dirsB.storage, `state.kv${suffix}`)).catch(() => {});
    }
    // a part under the restored download (its version unknown) and one that nobody owns
    const under = join(dirsB.downloadDir, infoA.name, "Music", "Jazz");
    await Deno.mkdir(under, { recursive: true });
    await Deno.writeTextFile(join(under, "So What.flac.part"), "bytes of some other version");
    await Deno.mkdir(join(dirsB.downloadDir, "Gone"));
    await Deno.writeTextFile(join(dirsB.downloadDir, "Gone", "lost.bin.part"), "lost");
    await Deno.writeTextFile(join(dirsB.downloadDir, "Gone", "keep.txt"), "not a part");

    b = await startDaemon(dirsB);
    const info = await b.client.info();
    assert.equal(info.storageProblem?.code, "NOT_FOUND");
    assert.match(
      info.storageProblem?.message ?? "",
      /^state\.kv was missing: .*restored 1 download and 1 peer/,
    );
    const [item] = await b.client.downloads();
    assert.deepEqual([item?.id, item?.path, item?.state], [queued.id, "Music", "queued"]);
    assert.deepEqual((await b.client.peers()).map((p) => p.keyHex), [infoA.publicKey]);
    await eventually(async () => {
      try {
        await Deno.stat(join(dirsB.downloadDir, ".orphaned", "Gone", "lost.bin.part"));
        return true;
      } catch {
        return undefined;
      }
    });
    assert.equal(
      await Deno.readTextFile(join(dirsB.downloadDir, "Gone", "keep.txt")),
      "not a part",
    );

    // the peer comes back at the same address: the restored peer is dialled, the folder listed again
    a = await startDaemon({ ...dirsA, shareDirs: [share] });
    const done = await eventually(async () => {
      const [now] = await b.client.downloads();
      return now?.state === "done" ? now : undefined;
    }, 30_000);
    assert.equal(done.files, 1);
    const got = await Deno.readFile(join(under, "So What.flac"));
    assert.equal(got.length, song.length);
    assert.deepEqual(got, song); // started over: the part's unknown bytes were not kept
  } finally {
    await a.kill("SIGTERM");
    await b.kill("SIGTERM");
  }
});
