import assert from "node:assert/strict";
import { MAX_NAME_BYTES, MAX_PATH_BYTES, parsePath, printable, utf8Length } from "./paths.ts";

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

Deno.test("utf8Length counts as TextEncoder does, whatever the text", () => {
  const encoder = new TextEncoder();
  const samples = [
    "",
    "plain.txt",
    "é".repeat(200),
    "日本語のファイル名".repeat(20),
    "🎵".repeat(100),
    "a\ud800b".repeat(100), // lone surrogates
    "x".repeat(2000),
    "\udc00".repeat(90),
  ];
  for (const text of samples) {
    const exact = encoder.encode(text).length;
    // below the limit only "not over" matters; above it, the exact count
    assert.equal(utf8Length(text, 0), exact, JSON.stringify(text.slice(0, 10)));
    assert.equal(utf8Length(text, 1024) > 1024, exact > 1024);
  }
});
