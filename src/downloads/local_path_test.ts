import assert from "node:assert/strict";
import { localSegments, partName, suffixedName } from "./local_path.ts";

Deno.test("a download is saved under the peer's name, mirroring the path", () => {
  assert.deepEqual(localSegments("PersianChinchilla", "Music/Jazz/So What.flac"), [
    "PersianChinchilla",
    "Music",
    "Jazz",
    "So What.flac",
  ]);
  assert.deepEqual(localSegments("Peer", "Music/What?.mp3", "linux"), [
    "Peer",
    "Music",
    "What?.mp3",
  ]);
});

Deno.test("hostile remote names are refused before anything is written", () => {
  for (
    const path of [
      "../etc/passwd",
      "Music/../../x",
      "/etc/passwd",
      "Music/a\u0000b",
      "a\nb",
      "",
      "C:/x",
      "a\\..\\b",
    ]
  ) {
    assert.throws(() => localSegments("Peer", path, "linux"), { code: "BAD_REQUEST" }, path);
  }
  for (
    const path of ["Music/What?.mp3", "Music/con", "Music/LPT1.txt", "Music/a:b", "Music/dot."]
  ) {
    assert.throws(() => localSegments("Peer", path, "windows"), { code: "BAD_REQUEST" }, path);
  }
  assert.throws(() => localSegments("..", "Music/x"), { code: "BAD_REQUEST" });
});

Deno.test("an existing file gets a numbered name; partial files end in .part", () => {
  assert.equal(suffixedName("song.flac", 1), "song (1).flac");
  assert.equal(suffixedName("README", 2), "README (2)");
  assert.equal(suffixedName(".hidden", 1), ".hidden (1)");
  assert.equal(partName("song.flac"), "song.flac.part");
});
