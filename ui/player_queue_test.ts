import assert from "node:assert/strict";
import type { LsEntry } from "../src/api/light.ts";
import {
  canSkip,
  coverPath,
  currentTrack,
  isCurrent,
  type PlayerQueue,
  playKind,
  progress,
  seek,
  setPaused,
  skip,
  startQueue,
  type Track,
  trackEnded,
  withFolder,
} from "./player_queue.ts";

function file(name: string): LsEntry {
  return { name, size: 1000, isDir: false, mtime: 1 };
}

const ALBUM: LsEntry[] = [
  file("Music/Homogenic/03 Unravel.flac"),
  file("Music/Homogenic/Folder.PNG"),
  file("Music/Homogenic/01 Hunter.flac"),
  file("Music/Homogenic/notes.txt"),
  { name: "Music/Homogenic/Extras", size: 0, isDir: true, mtime: 1 },
  file("Music/Homogenic/02 Jóga.mp3"),
  file("Music/Homogenic/Making of.webm"),
  file("Music/Other/04 Bachelorette.flac"),
];

function track(path: string, kind: Track["kind"] = "audio"): Track {
  return { peer: "ab12", peerName: "Björk", path, kind };
}

function paths(queue: PlayerQueue): string[] {
  return queue.tracks.map((t) => t.path);
}

Deno.test("playKind says which files the player plays, from the shared media-type table", () => {
  assert.equal(playKind("a/Song.FLAC"), "audio");
  assert.equal(playKind("a/film.webm"), "video");
  assert.equal(playKind("a/cover.jpg"), undefined);
  assert.equal(playKind("a/notes.txt"), undefined);
});

Deno.test("a queue holds the folder's songs in name order, starting at the one played", () => {
  const queue = startQueue(track("Music/Homogenic/02 Jóga.mp3"), { entries: ALBUM });
  assert.deepEqual(paths(queue), [
    "Music/Homogenic/01 Hunter.flac",
    "Music/Homogenic/02 Jóga.mp3",
    "Music/Homogenic/03 Unravel.flac",
  ]);
  assert.equal(queue.index, 1);
  assert.equal(currentTrack(queue)?.path, "Music/Homogenic/02 Jóga.mp3");
  assert.equal(queue.tracks[0]?.peerName, "Björk");
  assert.equal(queue.paused, false);
  assert.equal(queue.position, 0);
});

Deno.test("a video queues the folder's videos, not its songs", () => {
  const queue = startQueue(track("Music/Homogenic/Making of.webm", "video"), { entries: ALBUM });
  assert.deepEqual(paths(queue), ["Music/Homogenic/Making of.webm"]);
  assert.equal(queue.index, 0);
});

Deno.test("a file missing from the listing still plays, in its place by name", () => {
  const queue = startQueue(track("Music/Homogenic/02b New.mp3"), { entries: ALBUM });
  assert.equal(queue.tracks.length, 4);
  assert.equal(currentTrack(queue)?.path, "Music/Homogenic/02b New.mp3");
  assert.equal(queue.index, 2);
  assert.deepEqual(paths(startQueue(track("x/a.mp3"))), ["x/a.mp3"]);
});

Deno.test("the cover is cover or folder, jpg or png, in any case, and cover wins", () => {
  assert.equal(coverPath(ALBUM, "Music/Homogenic"), "Music/Homogenic/Folder.PNG");
  const both = [...ALBUM, file("Music/Homogenic/COVER.jpg")];
  assert.equal(coverPath(both, "Music/Homogenic"), "Music/Homogenic/COVER.jpg");
  assert.equal(coverPath(both, "Music/Other"), undefined);
  assert.equal(coverPath([file("Music/Homogenic/cover.gif")], "Music/Homogenic"), undefined);
  const queue = startQueue(track("Music/Homogenic/01 Hunter.flac"), { entries: ALBUM });
  assert.equal(queue.cover, "Music/Homogenic/Folder.PNG");
});

Deno.test("each new queue counts one more start than the queue it replaces", () => {
  const first = startQueue(track("Music/Homogenic/01 Hunter.flac"), { entries: ALBUM });
  const second = startQueue(track("Music/Other/04 Bachelorette.flac"), { after: first });
  assert.equal(second.starts, first.starts + 1);
});

Deno.test("the folder's listing arriving late fills the queue around the track that plays on", () => {
  const alone = progress(startQueue(track("Music/Homogenic/02 Jóga.mp3")), {
    position: 4,
    duration: 20,
  });
  const full = withFolder(alone, { peer: "ab12", path: "Music/Homogenic", entries: ALBUM });
  assert.equal(full.tracks.length, 3);
  assert.equal(full.index, 1);
  assert.equal(full.position, 4);
  assert.equal(full.starts, alone.starts, "the element is not loaded again");
  assert.equal(full.cover, "Music/Homogenic/Folder.PNG");
  const other = withFolder(alone, { peer: "ab12", path: "Music/Other", entries: ALBUM });
  assert.equal(other, alone, "a listing of another folder is an older request's");
  assert.equal(withFolder(alone, { peer: "ff", path: "Music/Homogenic", entries: ALBUM }), alone);
});

Deno.test("Next and Previous move in the queue, each starting its track from the beginning", () => {
  const queue = startQueue(track("Music/Homogenic/01 Hunter.flac"), { entries: ALBUM });
  const second = skip(progress(queue, { position: 10, duration: 20 }), 1);
  assert.equal(second.index, 1);
  assert.equal(second.position, 0);
  assert.equal(second.duration, undefined);
  assert.equal(second.starts, queue.starts + 1);
  const back = skip(progress(second, { position: 1, duration: 20 }), -1);
  assert.equal(back.index, 0);
  const last = skip(skip(queue, 1), 1);
  assert.equal(last.index, 2);
  assert.equal(canSkip(last, 1), false);
  assert.equal(skip(last, 1), last, "Next on the last track changes nothing");
});

Deno.test("Previous well into a track, or on the first one, starts that track again", () => {
  const queue = skip(startQueue(track("Music/Homogenic/01 Hunter.flac"), { entries: ALBUM }), 1);
  const into = skip(progress(queue, { position: 12, duration: 20 }), -1);
  assert.equal(into.index, 1);
  assert.equal(into.position, 0);
  assert.equal(into.starts, queue.starts + 1);
  const first = startQueue(track("Music/Homogenic/01 Hunter.flac"), { entries: ALBUM });
  assert.equal(canSkip(first, -1), false);
  assert.equal(skip(first, -1).index, 0);
  assert.equal(canSkip(progress(first, { position: 2, duration: 20 }), -1), true);
});

Deno.test("at the end of a track the next one starts; after the last the queue stops", () => {
  const queue = startQueue(track("Music/Homogenic/02 Jóga.mp3"), { entries: ALBUM });
  const next = trackEnded(progress(queue, { position: 20, duration: 20 }));
  assert.equal(currentTrack(next)?.path, "Music/Homogenic/03 Unravel.flac");
  assert.equal(next.paused, false);
  const done = trackEnded(progress(next, { position: 19.9, duration: 20 }));
  assert.equal(done.index, 2);
  assert.equal(done.paused, true);
  assert.equal(done.position, 20);
  assert.equal(done.starts, next.starts, "nothing new is loaded");
});

Deno.test("seeking stays between the start and the end of the track", () => {
  const queue = progress(startQueue(track("a/x.mp3")), { position: 3, duration: 20 });
  assert.equal(seek(queue, 10).position, 10);
  assert.equal(seek(queue, -5).position, 0);
  assert.equal(seek(queue, 99).position, 20);
  assert.equal(seek(queue, Number.NaN).position, 0);
  assert.equal(seek(startQueue(track("a/x.mp3")), 42).position, 42, "no length known yet");
});

Deno.test("progress ignores what a media element says before it knows the length", () => {
  const queue = startQueue(track("a/x.mp3"));
  assert.equal(progress(queue, { position: 0, duration: Number.NaN }), queue);
  assert.equal(
    progress(queue, { position: 0, duration: Number.POSITIVE_INFINITY }).duration,
    undefined,
  );
  assert.equal(progress(queue, { position: 1.5, duration: 20 }).duration, 20);
});

Deno.test("paused and current say what the element does and which row plays", () => {
  const queue = startQueue(track("a/x.mp3"));
  assert.equal(setPaused(queue, false), queue);
  assert.equal(setPaused(queue, true).paused, true);
  assert.equal(isCurrent(queue, "ab12", "a/x.mp3"), true);
  assert.equal(isCurrent(queue, "ff", "a/x.mp3"), false);
  assert.equal(isCurrent(undefined, "ab12", "a/x.mp3"), false);
});
