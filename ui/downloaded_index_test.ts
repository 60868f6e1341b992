import assert from "node:assert/strict";
import type { DownloadItem } from "../src/api/light.ts";
import { downloadedIndex, isDownloaded } from "./downloaded_index.ts";

const ann = { keyHex: "aa", name: "Ann" };
const bob = { keyHex: "bb", name: "Bob" };
type Item = Pick<DownloadItem, "peer" | "path" | "state">;

const items: Item[] = [
  { peer: ann, path: "Music/Jazz", state: "done" },
  { peer: ann, path: "Films/a.mkv", state: "done" },
  { peer: ann, path: "Films/b.mkv", state: "downloading" },
  { peer: bob, path: "Films/c.mkv", state: "failed" },
];
const index = downloadedIndex(items);

Deno.test("a file downloaded, or in a folder downloaded whole, is marked", () => {
  assert.ok(isDownloaded(index, "aa", "Films/a.mkv"));
  assert.ok(isDownloaded(index, "aa", "Music/Jazz"));
  assert.ok(isDownloaded(index, "aa", "Music/Jazz/Miles/So What.flac"));
});

Deno.test("what is unfinished, another peer's, a parent folder or a name's prefix is not marked", () => {
  assert.ok(!isDownloaded(index, "aa", "Films/b.mkv"));
  assert.ok(!isDownloaded(index, "bb", "Films/c.mkv"));
  assert.ok(!isDownloaded(index, "bb", "Films/a.mkv"));
  assert.ok(!isDownloaded(index, "aa", "Music"), "only part of Music is downloaded");
  assert.ok(!isDownloaded(index, "aa", "Music/Jazzier"));
  assert.ok(!isDownloaded(index, "aa", ""));
});
