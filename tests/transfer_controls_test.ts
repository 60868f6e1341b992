/**
 * The controls a user touches do what they say, on both ends: a pause stops the bytes (also of a
 * read that waits in the peer's upload queue), a cancel withdraws every read and leaves nothing
 * behind, and the card tells the truth about bytes and state.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadState, when } from "./helpers/events.ts";
import { indexed, testNode } from "./helpers/nodes.ts";
import { partPasses, sizeOf } from "./helpers/part_file.ts";

const MIB = 1024 * 1024;

/** Every file below `dir` (relative paths), or [] when it does not exist. */
async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string, rel: string): Promise<void> => {
    for await (const entry of Deno.readDir(path)) {
      const next = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(join(path, entry.name), next);
      else out.push(next);
    }
  };
  await walk(dir, "").catch(() => {});
  return out.sort();
}

Deno.test("a pause stops the bytes: the part holds its size for 5 s, and resume continues from it", async () => {
  const movie = new Uint8Array(512 * MIB);
  movie[0] = 1;
  movie[movie.length - 1] = 2;
  await using a = await testNode({ "movie.mkv": movie });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/movie.mkv");
  const part = join(b.config.downloadDir, name, "share", "movie.mkv.part");
  await partPasses(part, 8 * MIB);
  const paused = await b.node.downloadAction(item.id, "pause");
  assert.equal(paused.state, "paused");
  assert.equal(paused.problem, undefined, "a user's own pause has no problem to show");
  // the serving side lets go of the read: its upload ends
  await when(a.node.events, () => a.node.uploads().length === 0, {
    what: "the uploader to stop sending",
    state: () => a.node.uploads(),
  });
  const held = await sizeOf(part);
  assert.ok(held < movie.length, `the part has ${held} of ${movie.length} bytes`);
  // Holding still can only be shown by watching it hold: 5 s, as the issue asks.
  await new Promise((r) => setTimeout(r, 5000));
  assert.equal(await sizeOf(part), held, "not one byte after the pause");
  const shown = b.node.downloads().find((d) => d.id === item.id)!;
  assert.equal(shown.bytesDone, held, "a paused file shows the bytes its part holds");
  assert.equal(shown.state, "paused");

  await b.node.downloadAction(item.id, "resume");
  // while the bytes flow again, the card says so: downloading, no place in a queue
  await partPasses(part, held + 8 * MIB);
  const resumed = b.node.downloads().find((d) => d.id === item.id)!;
  if (resumed.state !== "done") {
    assert.equal(resumed.state, "downloading");
    assert.equal(resumed.queuePosition, undefined, "no '#1 in queue' while it downloads");
    assert.ok(resumed.bytesDone > held, "and its bytes go on from the part");
  }
  await downloadState(b.node, item.id, ["done"]);
  const got = await Deno.readFile(join(b.config.downloadDir, name, "share", "movie.mkv"));
  assert.equal(got.length, movie.length);
  assert.equal(got[0], 1);
  assert.equal(got[got.length - 1], 2);
});

Deno.test("a read paused while it waits in the peer's upload queue is withdrawn and never writes", async () => {
  await using a = await testNode({
    "first.bin": new Uint8Array(256 * MIB),
    "second.bin": new Uint8Array(8 * MIB),
  }, { uploadSlots: 1 });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const first = await b.node.download(name, "share/first.bin");
  await when(a.node.events, () => a.node.uploads().some((u) => u.state === "uploading"), {
    what: "the first file to take the only upload slot",
  });
  const second = await b.node.download(name, "share/second.bin");
  await when(a.node.events, () => a.node.uploads().some((u) => u.path === "share/second.bin"), {
    what: "the second file to wait in the peer's queue",
    state: () => a.node.uploads(),
  });
  await b.node.downloadAction(second.id, "pause");
  // withdrawn at the peer: its place in the queue is gone while the first still runs
  await when(a.node.events, () => !a.node.uploads().some((u) => u.path === "share/second.bin"), {
    what: "the peer to drop the withdrawn read from its queue",
    state: () => a.node.uploads(),
  });
  await downloadState(b.node, first.id, ["done"]);
  await when(a.node.events, () => a.node.uploads().length === 0, {
    what: "the uploader to be idle",
    state: () => a.node.uploads(),
  });
  const part = join(b.config.downloadDir, name, "share", "second.bin.part");
  assert.equal(await sizeOf(part), 0, "the paused file got no bytes");
  assert.equal(b.node.downloads().find((d) => d.id === second.id)?.state, "paused");
  const uploaded = (await a.node.history()).filter((h) => h.direction === "upload");
  assert.deepEqual(uploaded.map((h) => h.path), ["share/first.bin"], "no ghost upload");
});

Deno.test("cancelling a folder whose files wait in the peer's queue leaves nothing behind, at either end", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 4; i++) files[`Films/part ${i}.mkv`] = new Uint8Array(128 * MIB);
  await using a = await testNode(files, { uploadSlots: 1 });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/Films");
  await when(
    a.node.events,
    () => a.node.uploads().filter((u) => u.state === "queued").length >= 2,
    {
      what: "files of the folder to wait in the peer's queue",
      state: () => a.node.uploads(),
    },
  );
  await b.node.downloadAction(item.id, "cancel");
  assert.equal(b.node.downloads().length, 0);
  await when(a.node.events, () => a.node.uploads().length === 0, {
    what: "the uploader to be idle once the folder is cancelled",
    state: () => a.node.uploads(),
  });
  // the peer has nothing left to send: whatever would arrive later would have to come now
  assert.deepEqual(await filesBelow(b.config.downloadDir), [], "no part left");
  assert.deepEqual(await Array.fromAsync(Deno.readDir(b.config.downloadDir)), [], "no folder left");
  const uploaded = (await a.node.history()).filter((h) => h.direction === "upload");
  assert.deepEqual(uploaded, [], "nothing counts as uploaded");
});

Deno.test("a file rewritten in place while it is sent ends as the new version, never a mix", async () => {
  const old = new Uint8Array(256 * MIB).fill(1);
  await using a = await testNode({ "live.mkv": old });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/live.mkv");
  await partPasses(join(b.config.downloadDir, name, "share", "live.mkv.part"), 4 * MIB);
  // the first MiB, long since sent, changes under the server's feet (same size, new mtime)
  using file = await Deno.open(join(a.shareDir, "live.mkv"), { write: true });
  await file.write(new Uint8Array(MIB).fill(2));
  await file.utime(new Date(), new Date(Date.now() + 5000));
  await downloadState(b.node, item.id, ["done"]);
  const got = await Deno.readFile(join(b.config.downloadDir, name, "share", "live.mkv"));
  const now = await Deno.readFile(join(a.shareDir, "live.mkv"));
  assert.equal(got.length, now.length);
  assert.equal(got[0], 2, "the start is the new version's");
  assert.ok(got.every((v, i) => v === now[i]), "exactly the file as it is now");
});

Deno.test("the uploader cancels a running upload: the download stops for good with the reason, and a retry works", async () => {
  const movie = new Uint8Array(512 * MIB).fill(7);
  await using a = await testNode({ "movie.mkv": movie });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const item = await b.node.download(name, "share/movie.mkv");
  const part = join(b.config.downloadDir, name, "share", "movie.mkv.part");
  await partPasses(part, 8 * MIB);
  const upload = a.node.uploads().find((u) =>
    u.path === "share/movie.mkv" && u.state === "uploading"
  );
  assert.ok(upload, "the upload is listed at the uploader");
  a.node.cancelUpload(upload.id);
  assert.throws(() => a.node.cancelUpload(upload.id), { code: "NOT_FOUND" }, "it is gone");
  const failed = await downloadState(b.node, item.id, ["failed", "done"]);
  assert.equal(failed.state, "failed", "not finished behind the uploader's back");
  assert.equal(failed.problem?.code, "CANCELLED");
  await when(a.node.events, () => a.node.uploads().length === 0, {
    what: "the uploader to be idle",
    state: () => a.node.uploads(),
  });
  const held = await sizeOf(part);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await sizeOf(part), held, "no byte after the cancel");
  assert.equal(b.node.downloads().find((d) => d.id === item.id)?.state, "failed", "not retried");
  const uploaded = (await a.node.history()).filter((h) => h.direction === "upload");
  assert.deepEqual(uploaded, [], "a cancelled upload is no finished upload");

  // the refusal was for that try only: a person's Retry gets the file
  await b.node.downloadAction(item.id, "retry");
  await downloadState(b.node, item.id, ["done"]);
  const got = await Deno.readFile(join(b.config.downloadDir, name, "share", "movie.mkv"));
  assert.equal(got.length, movie.length);
  assert.ok(got.every((x) => x === 7));
});

Deno.test("the uploader cancels an upload waiting in its queue: that file fails at once, the other arrives", async () => {
  await using a = await testNode({
    "first.bin": new Uint8Array(256 * MIB).fill(1),
    "second.bin": new Uint8Array(8 * MIB).fill(2),
  }, { uploadSlots: 1 });
  await using b = await testNode();
  await indexed(a.node);
  await b.node.connect(a.node.info().announceAddress);
  const name = a.node.info().name;
  const first = await b.node.download(name, "share/first.bin");
  await when(a.node.events, () => a.node.uploads().some((u) => u.state === "uploading"), {
    what: "the first file to take the only upload slot",
  });
  const second = await b.node.download(name, "share/second.bin");
  const queued = await when(
    a.node.events,
    () => a.node.uploads().find((u) => u.path === "share/second.bin" && u.state === "queued"),
    { what: "the second file to wait in the uploader's queue", state: () => a.node.uploads() },
  );
  a.node.cancelUpload(queued.id);
  const failed = await downloadState(b.node, second.id, ["failed", "done"]);
  assert.equal(failed.state, "failed");
  assert.equal(failed.problem?.code, "CANCELLED");
  await downloadState(b.node, first.id, ["done"]);
  const got = await Deno.readFile(join(b.config.downloadDir, name, "share", "first.bin"));
  assert.ok(got.length === 256 * MIB && got.every((x) => x === 1), "the other file is whole");
  const part = join(b.config.downloadDir, name, "share", "second.bin.part");
  assert.equal(await sizeOf(part), 0, "the cancelled file got no bytes");
});
