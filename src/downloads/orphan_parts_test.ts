import assert from "node:assert/strict";
import { join } from "node:path";
import { ORPHANED_DIR, partFate, type PartOwner, sweepOrphanParts } from "./orphan_parts.ts";

const owner = (id: string, localPath: string, state: PartOwner["state"] = "queued"): PartOwner => ({
  id,
  localPath,
  state,
});

Deno.test("a part under an unfinished download is kept, under a restored one adopted", () => {
  const owners = [owner("f", "Peer/Music"), owner("r", "Peer/Films"), owner("s", "Peer/a.mp3")];
  const restored = new Set(["r"]);
  assert.equal(partFate("Peer/Music/Jazz/x.flac.part", owners, restored), "kept");
  assert.equal(partFate("Peer/Films/big.mkv.part", owners, restored), "adopted");
  assert.equal(partFate("Peer/a.mp3.part", owners, restored), "kept");
  assert.equal(partFate("Peer/a (2).mp3.part", owners, restored), "kept"); // its numbered twin
});

Deno.test("a part no unfinished download owns is orphaned", () => {
  const owners = [owner("f", "Peer/Music"), owner("d", "Peer/Done", "done")];
  const none = new Set<string>();
  assert.equal(partFate("Peer/Musical/x.part", owners, none), "orphaned"); // not a/bc for a/b
  assert.equal(partFate("Peer/Done/y.part", owners, none), "orphaned");
  assert.equal(partFate("Other/Music/z.part", owners, none), "orphaned");
  assert.equal(partFate("Peer/b (1).mp3.part", [owner("s", "Peer/a.mp3")], none), "orphaned");
});

Deno.test("the sweep moves orphaned parts into .orphaned and touches nothing else", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-orphans-" }));
  try {
    const write = async (rel: string, text = "x") => {
      await Deno.mkdir(join(root, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, rel), text);
    };
    await write("Peer/Music/song.flac.part", "half");
    await write("Peer/Films/old.mkv.part", "old bytes");
    await write("Peer/Films/done.mkv", "a finished file");
    await write("Gone/lost.bin.part", "lost");
    await Deno.mkdir(join(root, "Gone", "dir.part")); // a folder named *.part: not a part file
    await Deno.symlink(join(root, "Gone", "lost.bin.part"), join(root, "Gone", "link.part"));
    const startedAt = Date.now() + 1000; // every file above is from before this start
    await write(`${ORPHANED_DIR}/Gone/lost.bin.part`, "from an earlier start");

    const report = await sweepOrphanParts(root, {
      owners: () => [owner("m", "Peer/Music"), owner("r", "Peer/Films")],
      restoredIds: new Set(["r"]),
      startedAt,
    });
    assert.deepEqual(
      { kept: report.kept, adopted: report.adopted, orphaned: report.orphaned },
      { kept: 1, adopted: 1, orphaned: ["Gone/lost.bin.part"] },
    );
    assert.equal(await Deno.readTextFile(join(root, "Peer/Music/song.flac.part")), "half");
    assert.equal(await Deno.readTextFile(join(root, "Peer/Films/old.mkv.part")), "old bytes");
    assert.equal(await Deno.readTextFile(join(root, "Peer/Films/done.mkv")), "a finished file");
    assert.equal(
      await Deno.readTextFile(join(root, ORPHANED_DIR, "Gone/lost.bin (1).part")),
      "lost",
    );
    assert.equal(
      await Deno.readTextFile(join(root, ORPHANED_DIR, "Gone/lost.bin.part")),
      "from an earlier start",
    );
    assert.equal((await Deno.lstat(join(root, "Gone", "link.part"))).isSymlink, true);
    assert.equal((await Deno.stat(join(root, "Gone", "dir.part"))).isDirectory, true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a part written since this start is left alone, owned or not", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-orphans-" }));
  try {
    const startedAt = Date.now() - 60_000;
    await Deno.writeTextFile(join(root, "new.bin.part"), "being written");
    const report = await sweepOrphanParts(root, { owners: () => [], startedAt });
    assert.deepEqual(report.orphaned, []);
    assert.equal(await Deno.readTextFile(join(root, "new.bin.part")), "being written");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the walk stops after so many folders and says it was cut", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-orphans-" }));
  try {
    for (let i = 0; i < 5; i++) {
      await Deno.mkdir(join(root, `d${i}`, "deeper"), { recursive: true });
    }
    await Deno.writeTextFile(join(root, "d0", "deeper", "far.part"), "x");
    const report = await sweepOrphanParts(root, {
      owners: () => [],
      startedAt: Date.now() + 1000,
      maxDirs: 3,
    });
    assert.equal(report.cut, true);
    assert.deepEqual(report.orphaned, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
