import assert from "node:assert/strict";
import { commonFolder, Uploads } from "./uploads.ts";

Deno.test("small uploads to a peer make one history entry per run into one share", () => {
  const records: Array<[string, string, number, number | undefined]> = [];
  const uploads = new Uploads({
    smallBytes: 1000,
    history: {
      add: (entry) => records.push([entry.peer.name, entry.path, entry.bytes, entry.files]),
    },
  });
  const ann = { keyHex: "aa", name: "Ann" };
  const bob = { keyHex: "bb", name: "Bob" };
  const small = (peer: typeof ann, path: string, bytes: number) => {
    const tracker = uploads.track(peer, path, bytes);
    tracker.started();
    tracker.done(true);
  };
  small(ann, "Photos/2024/a.jpg", 10);
  small(ann, "Photos/2024/b.jpg", 20);
  small(bob, "Music/song.mp3", 5); // another peer: a run of its own
  small(ann, "Photos/2023/c.jpg", 30); // the run widens to Photos
  const failed = uploads.track(ann, "Photos/d.jpg", 7);
  failed.done(false); // broken off: not history
  small(ann, "Films/e.mkv", 40); // another share: Ann's first run ends
  uploads.close();
  assert.deepEqual(records, [
    ["Ann", "Photos", 60, 3],
    ["Bob", "Music/song.mp3", 5, undefined],
    ["Ann", "Films/e.mkv", 40, undefined],
  ]);
});

Deno.test("commonFolder finds the deepest shared folder", () => {
  assert.equal(commonFolder("a/b/c", "a/b/d"), "a/b");
  assert.equal(commonFolder("a/b", "a/b"), "a/b");
  assert.equal(commonFolder("a", "b"), "");
  assert.equal(commonFolder("ab/c", "a/c"), "");
  assert.equal(commonFolder("", "a"), "");
});

Deno.test("the ranges of one file a peer plays and seeks through make one history entry with the bytes they sent", () => {
  const records: Array<[string, string, number]> = [];
  const uploads = new Uploads({
    smallBytes: 1000,
    history: { add: (entry) => records.push([entry.peer.name, entry.path, entry.bytes]) },
  });
  const ann = { keyHex: "aa", name: "Ann" };
  const bob = { keyHex: "bb", name: "Bob" };
  const range = (peer: typeof ann, path: string, bytes: number, sent: number, ok: boolean) => {
    const tracker = uploads.track(peer, path, bytes, 1_000_000);
    tracker.started();
    tracker.progress(sent);
    tracker.done(ok);
  };
  range(ann, "Films/a.mkv", 200_000, 200_000, true);
  range(ann, "Films/a.mkv", 500_000, 120_000, false); // a seek cut it short: what it sent counts
  range(bob, "Films/a.mkv", 100_000, 100_000, true); // another peer: an entry of its own
  range(ann, "Films/a.mkv", 100_000, 0, false); // nothing sent: nothing to add
  // the whole file in one read is recorded at once, as before
  const whole = uploads.track(ann, "Films/b.mkv", 1_000_000, 1_000_000);
  whole.started();
  whole.progress(1_000_000);
  whole.done(true);
  assert.deepEqual(records, [["Ann", "Films/b.mkv", 1_000_000]]);
  uploads.close();
  assert.deepEqual(records, [
    ["Ann", "Films/b.mkv", 1_000_000],
    ["Ann", "Films/a.mkv", 320_000],
    ["Bob", "Films/a.mkv", 100_000],
  ]);
});
