import assert from "node:assert/strict";
import { join } from "node:path";
import { IndexStore } from "./index_store.ts";
import { scanTree, updateDir } from "./scanner.ts";

async function setup() {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-scan-" }));
  const share = join(base, "share");
  for (let d = 0; d < 5; d++) {
    await Deno.mkdir(join(share, `dir${d}`, "sub"), { recursive: true });
    for (let i = 0; i < 50; i++) {
      await Deno.writeFile(join(share, `dir${d}`, "sub", `f${i}`), new Uint8Array(i));
    }
  }
  const kv = await Deno.openKv(join(base, "state.kv"));
  return {
    base,
    share,
    store: new IndexStore(kv),
    [Symbol.asyncDispose]: async () => {
      kv.close();
      await Deno.remove(base, { recursive: true });
    },
  };
}

Deno.test("an unchanged rescan writes no directory; a change rewrites only its path to the root", async () => {
  await using t = await setup();
  const target = { name: "s", root: t.share };
  const first = await scanTree(t.store, target, "");
  assert.equal(first.stats.files, 250);
  assert.equal(first.stats.written, 11);
  const again = await scanTree(t.store, target, "");
  assert.equal(again.stats.written, 0);
  assert.equal(again.stats.files, 250);
  await Deno.writeFile(join(t.share, "dir3", "sub", "f0"), new Uint8Array(1000));
  const changed = await scanTree(t.store, target, "");
  assert.equal(changed.stats.written, 3, "sub, dir3 and the root");
  assert.equal((await t.store.getDir("s", ""))!.bytes, 5 * 1225 + 1000);
});

Deno.test("updating one directory carries new totals up to the root", async () => {
  await using t = await setup();
  const target = { name: "s", root: t.share };
  await scanTree(t.store, target, "");
  await Deno.writeFile(join(t.share, "dir1", "sub", "new"), new Uint8Array(77));
  await updateDir(t.store, target, "dir1/sub");
  assert.equal((await t.store.getDir("s", "dir1"))!.bytes, 1225 + 77);
  assert.deepEqual(
    [(await t.store.getDir("s", ""))!.files, (await t.store.getDir("s", ""))!.bytes],
    [251, 5 * 1225 + 77],
  );
  await Deno.remove(join(t.share, "dir1"), { recursive: true });
  await updateDir(t.store, target, "dir1");
  assert.equal(await t.store.getDir("s", "dir1/sub"), null);
  assert.equal((await t.store.getDir("s", ""))!.files, 200);
});

Deno.test("entries that cannot be read are skipped with a warning, never ending the scan", async () => {
  await using t = await setup();
  const locked = join(t.share, "locked");
  await Deno.mkdir(locked);
  await Deno.writeTextFile(join(locked, "x"), "x");
  // As root, mode 000 does not stop reads; a child process denied by Deno stands in for it then.
  const script = `
    import { IndexStore } from "${new URL("./index_store.ts", import.meta.url)}";
    import { scanTree } from "${new URL("./scanner.ts", import.meta.url)}";
    const kv = await Deno.openKv(${JSON.stringify(join(t.base, "child.kv"))});
    const { stats } = await scanTree(new IndexStore(kv), { name: "s", root: ${
    JSON.stringify(t.share)
  } }, "");
    console.log(JSON.stringify(stats));
    kv.close();`;
  const scriptPath = join(t.base, "scan.ts");
  await Deno.writeTextFile(scriptPath, script);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read`,
      `--deny-read=${locked}`,
      `--allow-write=${t.base}`,
      "--unstable-kv",
      // the script lives outside the repository: the import map comes from its deno.json
      `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
      scriptPath,
    ],
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const stats = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(stats.files, 250);
  assert.ok(stats.skipped >= 1);
  assert.match(stderr, /skipping an unreadable directory/);
});

Deno.test("a directory too big for one KV commit is indexed whole", async () => {
  await using t = await setup();
  const wide = join(t.share, "wide");
  await Deno.mkdir(wide);
  const long = "x".repeat(200);
  for (let i = 0; i < 4000; i++) {
    await Deno.writeFile(join(wide, `${long}-${i}`), new Uint8Array(0));
  }
  const { stats } = await scanTree(t.store, { name: "s", root: t.share }, "");
  assert.equal(stats.skipped, 0);
  const meta = (await t.store.getDir("s", "wide"))!;
  assert.equal(meta.count, 4000);
  assert.ok(meta.chunks > 16, `${meta.chunks} chunks: more than one commit's worth`);
  assert.equal((await t.store.readDir("s", "wide")).length, 4000);
});
