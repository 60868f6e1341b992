import assert from "node:assert/strict";
import { MAX_NAME_BYTES, MAX_PATH_BYTES, parsePath, printable } from "./paths.ts";

Deno.test("paths split into segments; root is empty; a trailing slash is allowed", () => {
  assert.deepEqual(parsePath(""), []);
  assert.deepEqual(parsePath("/"), []);
  assert.deepEqual(parsePath("Music"), ["Music"]);
  assert.deepEqual(parsePath("Music/Album 1/01 Song.flac"), ["Music", "Album 1", "01 Song.flac"]);
  assert.deepEqual(parsePath("Music/Album/"), ["Music", "Album"]);
  assert.deepEqual(parsePath("Mûsic/日本/..foo"), ["Mûsic", "日本", "..foo"]);
});

Deno.test("unsafe paths are refused with BAD_REQUEST", () => {
  const bad: unknown[] = [
    "..",
    "../etc/passwd",
    "Music/../../etc",
    "Music/./x",
    "/etc/passwd",
    "C:/Windows",
    "c:\\x",
    "Music//x",
    "Music/a\u0000b",
    "Music/a\nb",
    "Music/a\u007fb",
    "Music\\..\\x",
    "a/" + "x".repeat(MAX_NAME_BYTES + 1),
    "a/".repeat(MAX_PATH_BYTES),
    42,
    null,
    ["a"],
  ];
  for (const path of bad) {
    assert.throws(() => parsePath(path), { code: "BAD_REQUEST" }, JSON.stringify(path));
  }
});

Deno.test("printable escapes control characters and shortens long text", () => {
  assert.equal(printable("a\nb\u0000"), "a\\x0ab\\x00");
  assert.equal(printable("x".repeat(300)).length, 201);
});
