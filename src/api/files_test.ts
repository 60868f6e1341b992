import assert from "node:assert/strict";
import { join } from "node:path";
import { listDownloaded } from "./files.ts";

Deno.test("a downloaded folder lists folders then files, without parts, links or a way out", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-downloaded-" }));
  try {
    const dl = join(root, "dl");
    await Deno.mkdir(join(dl, "Peer", "Album", "Disc 2"), { recursive: true });
    await Deno.writeTextFile(join(dl, "Peer", "Album", "b.flac"), "bb");
    await Deno.writeTextFile(join(dl, "Peer", "Album", "a.flac"), "a");
    await Deno.writeTextFile(join(dl, "Peer", "Album", "c.flac.part"), "unfinished");
    await Deno.writeTextFile(join(root, "secret.txt"), "outside");
    await Deno.symlink(join(root, "secret.txt"), join(dl, "Peer", "Album", "link.txt"));
    await Deno.symlink(root, join(dl, "Peer", "out"));

    const album = await listDownloaded(dl, "Peer/Album");
    assert.equal(album.path, "Peer/Album");
    assert.equal(album.truncated, false);
    assert.deepEqual(album.entries.map((e) => [e.name, e.isDir, e.size]), [
      ["Disc 2", true, 0],
      ["a.flac", false, 1],
      ["b.flac", false, 2],
    ]);
    assert.deepEqual((await listDownloaded(dl, "")).entries.map((e) => e.name), ["Peer"]);
    await assert.rejects(listDownloaded(dl, "Peer/../.."), { code: "BAD_REQUEST" });
    await assert.rejects(listDownloaded(dl, "Peer/out"), { code: "NOT_SHARED" });
    await assert.rejects(listDownloaded(dl, "Peer/nope"), { code: "NOT_FOUND" });
    await assert.rejects(listDownloaded(dl, "Peer/Album/a.flac"), { code: "BAD_REQUEST" });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
