import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { treeHash } from "../bench/_util.ts";
import { downloadState } from "./helpers/events.ts";
import { indexed, testNode } from "./helpers/nodes.ts";
import { partPasses } from "./helpers/part_file.ts";

Deno.test("a file and a folder of 1,000 files download into <peer name>/<path>, and a/b never pulls a/bc", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 1000; i++) {
    files[`Album/d${i % 7}/track ${i}.ogg`] = new Uint8Array(randomBytes(100 + (i % 50)));
  }
  files["Album2/not me.ogg"] = new Uint8Array(5);
  files["Albums/nor me.ogg"] = new Uint8Array(5);
  files["big.bin"] = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));
  await using a = await testNode(files);
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;

  const single = await b.node.download(name, "share/big.bin");
  const folder = await b.node.download(name, "share/Album");
  const done = await downloadState(b.node, folder.id, ["done"]);
  assert.equal(done.files, 1000);
  assert.equal(done.filesDone, 1000);
  assert.equal(done.isDir, true);
  assert.equal(done.localPath, `${name}/share/Album`);
  await downloadState(b.node, single.id, ["done"]);
  const saved = join(b.config.downloadDir, name, "share");
  assert.equal(await treeHash(join(saved, "Album")), await treeHash(join(a.shareDir, "Album")));
  assert.deepEqual(await Deno.readFile(join(saved, "big.bin")), files["big.bin"]);
  const remote = await Deno.stat(join(a.shareDir, "big.bin"));
  assert.equal((await Deno.stat(join(saved, "big.bin"))).mtime?.getTime(), remote.mtime?.getTime());
  const names = (await Array.fromAsync(Deno.readDir(saved))).map((e) => e.name).sort();
  assert.deepEqual(names, ["Album", "big.bin"], "no Album2, no Albums, no .part left");
  const history = await b.node.history();
  const album = history.find((h) => h.direction === "download" && h.path === "share/Album");
  assert.equal(album?.files, 1000);
  // the serving side's history: the big file, and the 1,000 small ones as one entry (once the
  // run of small uploads has ended). That run ends after 3 s without another small upload, and no
  // event says so: the history is polled.
  const bytes = Object.entries(files).filter(([p]) => p.startsWith("Album/"))
    .reduce((n, [, f]) => n + f.length, 0);
  let uploaded: typeof history = [];
  for (let i = 0; i < 100 && !uploaded.some((h) => h.files === 1000); i++) {
    await new Promise((r) => setTimeout(r, 100));
    uploaded = (await a.node.history()).filter((h) => h.direction === "upload");
  }
  assert.deepEqual(
    uploaded.map((h) => [h.path, h.bytes, h.files]).sort(),
    [["share/Album", bytes, 1000], ["share/big.bin", files["big.bin"]!.length, undefined]],
  );
});

Deno.test("an existing complete file is skipped when it matches, and kept with a suffix when not", async () => {
  await using a = await testNode({ "same.txt": "same", "other.txt": "remote version" });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const dir = join(b.config.downloadDir, name, "share");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "same.txt"), "same");
  const remoteMtime = (await Deno.stat(join(a.shareDir, "same.txt"))).mtime!;
  await Deno.utime(join(dir, "same.txt"), new Date(), remoteMtime);
  await Deno.writeTextFile(join(dir, "other.txt"), "my own precious file");
  const same = await b.node.download(name, "share/same.txt");
  const other = await b.node.download(name, "share/other.txt");
  await downloadState(b.node, same.id, ["done"]);
  await downloadState(b.node, other.id, ["done"]);
  assert.equal(await Deno.readTextFile(join(dir, "other.txt")), "my own precious file");
  assert.equal(await Deno.readTextFile(join(dir, "other (1).txt")), "remote version");
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
    "other (1).txt",
    "other.txt",
    "same.txt",
  ]);
});

for (const [what, size] of [["longer", 48 * 1024 * 1024], ["shorter", 512 * 1024]] as const) {
  Deno.test(`a file changed at the peer between attempts starts over and is never spliced (new version ${what} than the part)`, async () => {
    const first = new Uint8Array(randomBytes(64 * 1024 * 1024));
    await using a = await testNode({ "movie.mkv": first });
    await using b = await testNode();
    await indexed(a.node);
    await b.node.connect(a.node.info().announceAddress);
    const name = a.node.info().name;
    const item = await b.node.download(name, "share/movie.mkv");
    // pause once more than 1 MiB is in the part file
    const part = join(b.config.downloadDir, name, "share", "movie.mkv.part");
    await partPasses(part, 1024 * 1024);
    await b.node.downloadAction(item.id, "pause");
    const partial = (await Deno.stat(part)).size;
    assert.ok(partial > 1024 * 1024 && partial < first.length, `part has ${partial} bytes`);
    const second = new Uint8Array(randomBytes(size));
    await Deno.writeFile(join(a.shareDir, "movie.mkv"), second);
    await b.node.downloadAction(item.id, "resume");
    await downloadState(b.node, item.id, ["done"]);
    const got = await Deno.readFile(join(b.config.downloadDir, name, "share", "movie.mkv"));
    assert.equal(got.length, second.length);
    assert.ok(got.every((v, i) => v === second[i]), "exactly the new version");
  });
}

Deno.test("small files come in batches; one that grew past the batch limit is read alone", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 200; i++) files[`pics/${i}.jpg`] = new Uint8Array(randomBytes(10 + i));
  await using a = await testNode(files);
  await using b = await testNode();
  await indexed(a.node);
  // the index still says 110 bytes; the file now has 3 MiB
  const grown = new Uint8Array(randomBytes(3 * 1024 * 1024));
  await Deno.writeFile(join(a.shareDir, "pics", "100.jpg"), grown);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/pics");
  const done = await downloadState(b.node, item.id, ["done"]);
  assert.equal(done.filesDone, 200);
  assert.equal(
    await treeHash(join(b.config.downloadDir, name, "share", "pics")),
    await treeHash(join(a.shareDir, "pics")),
  );
  const total = Object.values(files).reduce((n, f) => n + f.length, 0) - 110 + grown.length;
  assert.equal(done.bytes, total, "the totals follow the file's new size");
  assert.equal(done.bytesDone, total);
});

Deno.test("pause, resume, cancel (deletes the part) and move to front", async () => {
  await using a = await testNode({
    "a.bin": new Uint8Array(randomBytes(64 * 1024 * 1024)),
    "b.txt": "b",
    "c.txt": "c",
  });
  await using b = await testNode();
  await indexed(a.node);
  const name = a.node.info().name;
  // queued while the peer is not connected yet: they wait
  await b.node.connect(a.node.info().announceAddress);
  const big = await b.node.download(name, "share/a.bin");
  const second = await b.node.download(name, "share/b.txt");
  const third = await b.node.download(name, "share/c.txt");
  const front = await b.node.downloadAction(third.id, "front");
  assert.equal(b.node.downloads()[0]!.id, front.id);
  await downloadState(b.node, second.id, ["done"]);
  const part = join(b.config.downloadDir, name, "share", "a.bin.part");
  await partPasses(part, 0);
  const paused = await b.node.downloadAction(big.id, "pause");
  assert.equal(paused.state, "paused");
  assert.equal((await b.node.downloadAction(big.id, "pause")).state, "paused", "pausing twice");
  await assert.rejects(b.node.downloadAction(second.id, "resume"), {
    code: "CONFLICT",
    message: /is done, not paused/,
  });
  assert.ok((await Deno.stat(part)).size > 0, "the paused download keeps its part");
  await b.node.downloadAction(big.id, "cancel");
  await assert.rejects(Deno.stat(part), Deno.errors.NotFound);
  assert.equal(b.node.downloads().some((d) => d.id === big.id), false);
  await assert.rejects(b.node.downloadAction(big.id, "resume"), { code: "NOT_FOUND" });
  await assert.rejects(b.node.download(name, "share/../x"), { code: "BAD_REQUEST" });
  await assert.rejects(b.node.download("Nobody", "share/x"), { code: "NOT_FOUND" });
});

Deno.test("forgetting a peer pauses its unfinished downloads, saying why; done ones stay done", async () => {
  await using a = await testNode({
    "big.bin": new Uint8Array(randomBytes(64 * 1024 * 1024)),
    "small.txt": "small",
  });
  await using b = await testNode();
  await indexed(a.node);
  const name = a.node.info().name;
  await b.node.connect(a.node.info().announceAddress);
  const small = await b.node.download(name, "share/small.txt");
  await downloadState(b.node, small.id, ["done"]);
  const big = await b.node.download(name, "share/big.bin");
  await partPasses(join(b.config.downloadDir, name, "share", "big.bin.part"), 0);
  await b.node.forgetPeer(name);
  const paused = b.node.downloads().find((d) => d.id === big.id)!;
  assert.equal(paused.state, "paused");
  assert.equal(paused.problem?.code, "UNAVAILABLE");
  assert.match(paused.reason ?? "", new RegExp(`You forgot ${name}: resume this download once`));
  assert.equal(b.node.downloads().find((d) => d.id === small.id)!.state, "done");
  // A dials back: resumed, the download goes on from its part
  await a.node.connect(b.node.info().announceAddress);
  await b.node.downloadAction(big.id, "resume");
  await downloadState(b.node, big.id, ["done"], { timeoutMs: 60_000 });
});

Deno.test("a missing remote file fails with the peer's reason after a few tries, and retry tries again", async () => {
  await using a = await testNode({ "here.txt": "x" }, { watch: true });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const asked = Date.now();
  const item = await b.node.download(a.node.info().name, "share/gone.txt");
  const failed = await downloadState(b.node, item.id, ["failed"], { timeoutMs: 40_000 });
  assert.match(failed.reason ?? "", /Cannot find/);
  assert.equal(failed.problem?.code, "NOT_FOUND");
  const waited = Date.now() - asked;
  assert.ok(waited >= 12_000, `asked again for 12 s before failing, not ${waited} ms`);
  // A person's retry asks again as patiently as the first time: the file may come a moment later.
  await b.node.downloadAction(item.id, "retry");
  await new Promise((r) => setTimeout(r, 300));
  await Deno.writeTextFile(join(a.shareDir, "gone.txt"), "back");
  await downloadState(b.node, item.id, ["done"], { timeoutMs: 30_000 });
  assert.equal(
    await Deno.readTextFile(join(b.config.downloadDir, a.node.info().name, "share", "gone.txt")),
    "back",
  );
});

Deno.test("a file made at the peer just after it was asked for arrives once the peer's index sees it", async () => {
  await using a = await testNode({ "here.txt": "x" }, { watch: true });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const seen: string[] = [];
  const stop = b.node.events.on((event) => {
    if (event.type === "download") seen.push(event.item.state);
  });
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/new/fresh.txt");
  // the peer's index does not have it: the first listing is answered NOT_FOUND
  await new Promise((r) => setTimeout(r, 300));
  await Deno.mkdir(join(a.shareDir, "new"));
  await Deno.writeTextFile(join(a.shareDir, "new", "fresh.txt"), "just made");
  await downloadState(b.node, item.id, ["done"], { timeoutMs: 30_000 });
  stop();
  assert.ok(!seen.includes("failed"), `never shown failed: ${seen.join(", ")}`);
  assert.equal(
    await Deno.readTextFile(join(b.config.downloadDir, name, "share", "new", "fresh.txt")),
    "just made",
  );
});

Deno.test("a file asked for alone and inside its folder at once is written once, without errors", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 50; i++) files[`Album/${i}.txt`] = `track ${i}`;
  await using a = await testNode(files);
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const [folder, single] = await Promise.all([
    b.node.download(name, "share/Album"),
    b.node.download(name, "share/Album/7.txt"),
  ]);
  const done = await downloadState(b.node, folder.id, ["done", "failed", "paused"]);
  const alone = await downloadState(b.node, single.id, ["done", "failed", "paused"]);
  assert.equal(done.state, "done", done.reason ?? "");
  assert.equal(alone.state, "done", alone.reason ?? "");
  const dir = join(b.config.downloadDir, name, "share", "Album");
  assert.equal(
    (await Array.fromAsync(Deno.readDir(dir))).length,
    50,
    "no duplicates, no .part left",
  );
});

const canMount = Deno.uid() === 0 && Deno.build.os === "linux";

Deno.test({
  name: "a full disk pauses the download with the reason, and nothing is marked done",
  ignore: !canMount,
  fn: async () => {
    const files: Record<string, Uint8Array> = { "big.bin": new Uint8Array(randomBytes(3 << 20)) };
    for (let i = 0; i < 300; i++) files[`small/${i}.bin`] = new Uint8Array(randomBytes(10_000));
    await using a = await testNode(files);
    await using b = await testNode();
    await indexed(a.node);
    await b.node.connect(a.node.info().announceAddress);
    const name = a.node.info().name;
    // a 1 MiB file system where the download goes
    const small = join(b.config.downloadDir, name);
    await Deno.mkdir(small, { recursive: true });
    const mount = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small],
    }).output();
    if (!mount.success) {
      console.log("skipped: cannot mount a tmpfs here");
      return;
    }
    try {
      const item = await b.node.download(name, "share/big.bin");
      const paused = await downloadState(b.node, item.id, ["paused", "done", "failed"]);
      assert.equal(paused.state, "paused");
      assert.match(paused.reason ?? "", /disk is full/);
      assert.equal(paused.filesDone, 0);
      await assert.rejects(Deno.stat(join(small, "share", "big.bin")), Deno.errors.NotFound);
      await b.node.downloadAction(item.id, "cancel"); // its part frees the space

      // a folder of small files (written by the small-file writer's thread) fills it too
      const folder = await b.node.download(name, "share/small");
      const stopped = await downloadState(b.node, folder.id, ["paused", "done", "failed"]);
      assert.equal(stopped.state, "paused");
      assert.match(stopped.reason ?? "", /disk is full/);
      assert.ok(stopped.filesDone > 0 && stopped.filesDone < 300, `${stopped.filesDone} done`);
      // every file in place is whole: what the disk could not take is not there (or a .part)
      let whole = 0;
      for await (const entry of Deno.readDir(join(small, "share", "small"))) {
        if (entry.name.endsWith(".part")) continue;
        const saved = await Deno.readFile(join(small, "share", "small", entry.name));
        assert.deepEqual(saved, files[`small/${entry.name}`], entry.name);
        whole++;
      }
      assert.equal(whole, stopped.filesDone);
    } finally {
      await new Deno.Command("umount", { args: ["-l", small] }).output();
    }
  },
});
