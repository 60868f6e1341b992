import assert from "node:assert/strict";
import { basename, crumbs, dirname, fileUrl } from "./paths.ts";

Deno.test("crumbs lead from the share down to the folder", () => {
  assert.deepEqual(crumbs(""), []);
  assert.deepEqual(crumbs("music/jazz"), [
    { label: "music", path: "music" },
    { label: "jazz", path: "music/jazz" },
  ]);
});

Deno.test("basename and dirname split a peer path", () => {
  assert.equal(basename("music/jazz/a.flac"), "a.flac");
  assert.equal(basename("music"), "music");
  assert.equal(dirname("music/jazz/a.flac"), "music/jazz");
  assert.equal(dirname("music"), "");
});

Deno.test("fileUrl encodes each segment and keeps the slashes", () => {
  assert.equal(fileUrl("Bob/My Music/#1?.mp3"), "/files/Bob/My%20Music/%231%3F.mp3");
  assert.equal(fileUrl("Bob/a", "t o"), "/files/Bob/a?token=t%20o");
});
