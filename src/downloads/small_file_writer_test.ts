import assert from "node:assert/strict";
import { join } from "node:path";
import { SmallFileWriter } from "./small_file_writer.ts";

Deno.test("the small-file writer's thread writes whole files with their mtime, or says why not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hdp-writer-" });
  const writer = new SmallFileWriter();
  try {
    const file = (name: string, text: string, mtime: number) => ({
      part: join(dir, `${name}.part`),
      finalPath: join(dir, name),
      data: new TextEncoder().encode(text),
      mtime,
    });
    const a = file("a.txt", "alpha", 1_600_000_000_000);
    const sent = a.data;
    const outcomes = await writer.write([
      a,
      file("b.txt", "", 1_700_000_000_000),
      { ...file("c.txt", "gamma", 0), part: join(dir, "missing", "c.txt.part") },
    ]);
    assert.equal(outcomes[0], null);
    assert.equal(outcomes[1], null);
    assert.equal(outcomes[2]?.code, "IO");
    assert.match(outcomes[2]?.message ?? "", /c\.txt/);
    assert.equal(sent.byteLength, 0, "the buffer was moved to the thread, not copied");
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "alpha");
    assert.equal((await Deno.stat(join(dir, "a.txt"))).mtime?.getTime(), 1_600_000_000_000);
    assert.equal(await Deno.readTextFile(join(dir, "b.txt")), "");
    await assert.rejects(Deno.stat(join(dir, "a.txt.part")), Deno.errors.NotFound);
    // a view into a bigger buffer is copied, and the rest of that buffer stays usable
    const shared = new TextEncoder().encode("0123456789");
    const [d] = await writer.write([{ ...file("d.txt", "", 1), data: shared.subarray(2, 5) }]);
    assert.equal(d, null);
    assert.equal(await Deno.readTextFile(join(dir, "d.txt")), "234");
    assert.equal(shared.byteLength, 10);
  } finally {
    await writer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the small-file writer holds senders back by the number of files waiting, not only their bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hdp-writer-" });
  const writer = new SmallFileWriter();
  try {
    const tiny = (i: number) => ({
      part: join(dir, `${i}.part`),
      finalPath: join(dir, `${i}`),
      data: new Uint8Array([i & 255]),
      mtime: 1_600_000_000_000,
    });
    await writer.room(); // nothing waits: room at once
    // 2,000 files of one byte: a few KiB, yet too many files waiting at once
    const written = writer.write(Array.from({ length: 2000 }, (_, i) => tiny(i)));
    let roomAt = 0;
    let writtenAt = 0;
    await Promise.all([
      writer.room().then(() => (roomAt = performance.now())),
      written.then(() => (writtenAt = performance.now())),
    ]);
    assert.ok(roomAt >= writtenAt, "room only once the files were written");
    assert.ok((await written).every((outcome) => outcome === null));
    assert.equal((await Deno.readFile(join(dir, "1999")))[0], 1999 & 255);
  } finally {
    await writer.close();
    await Deno.remove(dir, { recursive: true });
  }
});
