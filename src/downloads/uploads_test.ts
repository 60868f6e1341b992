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
