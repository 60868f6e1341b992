import assert from "node:assert/strict";
import { DEFAULT_MEDIA_TYPE, mediaType, previewKind } from "./media_type.ts";

Deno.test("a file is served with the content type of its extension, whatever its case", () => {
  assert.equal(mediaType("Bob/Album/01 Song.FLAC"), "audio/flac");
  assert.equal(mediaType("notes.txt"), "text/plain; charset=utf-8");
  assert.equal(mediaType("a.tar.gz"), DEFAULT_MEDIA_TYPE);
  assert.equal(mediaType("Makefile"), DEFAULT_MEDIA_TYPE);
  assert.equal(mediaType(".mp3"), DEFAULT_MEDIA_TYPE, "a hidden file has no extension");
  assert.equal(mediaType("dir.mp3/readme"), DEFAULT_MEDIA_TYPE, "only the last name counts");
});

Deno.test("every file the UI previews is served as that kind of media", () => {
  const previewed = ["a.mov", "a.avif", "a.aac", "a.png", "a.jpg", "a.mp3", "a.opus", "a.webm"];
  for (const path of previewed) {
    const kind = previewKind(path);
    assert.ok(kind, `${path} is previewed`);
    assert.ok(mediaType(path).startsWith(`${kind}/`), `${path}: ${mediaType(path)}`);
  }
  assert.equal(mediaType("clip.mov"), "video/quicktime");
  assert.equal(mediaType("photo.avif"), "image/avif");
  assert.equal(mediaType("song.aac"), "audio/aac");
});

Deno.test("previewKind goes by the content type: documents and unknown files get none", () => {
  assert.equal(previewKind("a/photo.JPG"), "image");
  assert.equal(previewKind("song.flac"), "audio");
  assert.equal(previewKind("film.webm"), "video");
  assert.equal(previewKind("notes.txt"), undefined);
  assert.equal(previewKind("book.pdf"), undefined);
  assert.equal(previewKind("a.bin"), undefined);
  assert.equal(previewKind(".mp3"), undefined);
});

Deno.test("the audio and video files players stream are served with the types players expect", () => {
  const expected: Record<string, string> = {
    "a.mp3": "audio/mpeg",
    "a.flac": "audio/flac",
    "a.ogg": "audio/ogg",
    "a.opus": "audio/ogg",
    "a.m4a": "audio/mp4",
    "a.aac": "audio/aac",
    "a.wav": "audio/wav",
    "a.mp4": "video/mp4",
    "a.m4v": "video/mp4",
    "a.mkv": "video/x-matroska",
    "a.webm": "video/webm",
    "a.mov": "video/quicktime",
  };
  for (const [path, type] of Object.entries(expected)) assert.equal(mediaType(path), type, path);
});
