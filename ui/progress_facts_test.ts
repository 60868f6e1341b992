import assert from "node:assert/strict";
import type { DownloadItem } from "../src/api/light.ts";
import { progressFacts } from "./progress_facts.ts";

const item: DownloadItem = {
  id: "i",
  peer: { keyHex: "ab", name: "Ann" },
  path: "Music/Jazz",
  isDir: true,
  state: "downloading",
  files: 4,
  filesDone: 1,
  bytes: 4096,
  bytesDone: 1024,
  speed: 1024,
  eta: 3,
  createdAt: 1,
  localPath: "Ann/Music/Jazz",
};

Deno.test("a running folder shows how far, how much, its files, its speed and the time left", () => {
  assert.deepEqual(progressFacts(item), [
    "25%",
    "1.0 KiB of 4.0 KiB",
    "1/4 files",
    "1 kB/s",
    "3 s left",
  ]);
});

Deno.test("a queued folder whose listing has not come says listing…, not 100% of 0 B", () => {
  const queued: DownloadItem = {
    ...item,
    state: "queued",
    listing: true,
    files: 0,
    filesDone: 0,
    bytes: 0,
    bytesDone: 0,
    speed: 0,
    queuePosition: 2,
  };
  delete queued.eta;
  assert.deepEqual(progressFacts(queued), ["listing…", "#2 in queue"]);
});

Deno.test("a folder still being listed counts what is listed so far, with no time left yet", () => {
  assert.deepEqual(progressFacts({ ...item, listing: true }), [
    "25%",
    "1.0 KiB of 4.0 KiB so far",
    "1/4 files",
    "listing…",
    "1 kB/s",
  ]);
});

Deno.test("an item waiting for its peer says so, with what it keeps", () => {
  assert.deepEqual(progressFacts({ ...item, state: "queued", waitingForPeer: true }), [
    "25%",
    "waiting for Ann (offline) · 1.0 KiB kept",
    "1/4 files",
  ]);
});
