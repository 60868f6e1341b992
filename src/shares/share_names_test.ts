import assert from "node:assert/strict";
import { nameForShare } from "./share_names.ts";

Deno.test("a share is named by its basename, and a second one with the same basename gets -2", () => {
  assert.equal(nameForShare("/home/ada/Music", []), "Music");
  assert.equal(nameForShare("/mnt/disk/Music", ["Music"]), "Music-2");
  assert.equal(nameForShare("/mnt/other/music", ["Music", "Music-2"]), "music-3");
  assert.equal(nameForShare("/", []), "share");
  assert.equal(nameForShare("/tmp/a\nb", []), "a_b");
});
