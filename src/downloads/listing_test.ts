import assert from "node:assert/strict";
import { filesOfPage, listInto } from "./listing.ts";
import { type ItemRecord, Wishlist } from "./wishlist.ts";

function item(path: string): ItemRecord {
  return {
    id: "item",
    peer: { keyHex: "ab", name: "Peer" },
    path,
    isDir: false,
    state: "queued",
    createdAt: 0,
    order: 0,
    expanded: false,
    files: 0,
    filesDone: 0,
    filesFailed: 0,
    bytes: 0,
    bytesDone: 0,
    localPath: `Peer/${path}`,
  };
}

const entry = (name: string, size = 1, isDir = false) => ({ name, size, isDir, mtime: 7 });

Deno.test("a page adds the files below the path, numbered on, and skips its neighbours", () => {
  const record = { ...item("a/b"), listed: 4, files: 4, bytes: 40 };
  const { files, counts } = filesOfPage(record, [
    entry("a/b", 0, true),
    entry("a/b/1.txt", 10),
    entry("a/bc/2.txt", 99),
    entry("a/b/sub/3.txt", 5),
  ]);
  assert.deepEqual(files.map((f) => [f.seq, f.remotePath, f.state]), [
    [4, "a/b/1.txt", "queued"],
    [5, "a/b/sub/3.txt", "queued"],
  ]);
  assert.deepEqual(counts, { listed: 6, files: 6, bytes: 55, filesFailed: 0, isDir: true });
  assert.equal(record.listed, 4, "the record itself is not changed");
});

Deno.test("a single file is an item that is not a folder", () => {
  const { files, counts } = filesOfPage(item("a/song.ogg"), [entry("a/song.ogg", 3)]);
  assert.equal(files.length, 1);
  assert.equal(counts.isDir, false);
});

Deno.test("a name this platform cannot save fails from the start and is counted", () => {
  const { files, counts } = filesOfPage(item("a"), [entry("a/ok.txt"), entry("a/bad\u0001.txt")]);
  assert.deepEqual(files.map((f) => f.state), ["queued", "failed"]);
  assert.equal(files[1]!.problem?.code, "BAD_REQUEST");
  assert.match(files[1]!.problem?.message ?? "", /control/i);
  assert.equal(counts.filesFailed, 1);
});

Deno.test("a listing is stored page by page with its cursor, and complete after the last", async () => {
  using kv = await Deno.openKv(":memory:");
  const wishlist = await Wishlist.open(kv);
  const record = item("a");
  const seen: Array<string | undefined> = [];
  async function* pages() {
    yield { entries: [entry("a/1"), entry("a/2")], cursor: "c1" };
    const stored = await wishlist.items();
    seen.push(stored[0]?.listCursor);
    yield { entries: [entry("a/3")] };
  }
  await listInto(record, pages(), { wishlist, onPage: () => seen.push(record.listCursor) });
  assert.deepEqual(seen, ["c1", "c1", undefined]);
  assert.equal(record.expanded, true);
  assert.equal(record.state, "downloading");
  assert.deepEqual((await wishlist.files("item")).map((f) => f.remotePath), ["a/1", "a/2", "a/3"]);
  const [stored] = await wishlist.items();
  assert.equal(stored?.expanded, true);
  assert.equal(stored?.listed, 3);
});
