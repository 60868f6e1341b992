import assert from "node:assert/strict";
import { HdpError } from "./errors.ts";
import { foldText, indexWords, matchesAll, searchWords, wordsOf } from "./search_words.ts";

Deno.test("words are runs of letters and digits, each Han, kana or Hangul character alone", () => {
  assert.deepEqual(wordsOf(foldText("01 - Björk_Jóga (Live).FLAC")), [
    "01",
    "bjork",
    "joga",
    "live",
    "flac",
  ]);
  assert.deepEqual(wordsOf("ac/dc"), ["ac", "dc"]);
  assert.deepEqual(wordsOf("日本語abc"), ["日", "本", "語", "abc"]);
  assert.deepEqual(wordsOf("東京事変𠀋x"), ["東", "京", "事", "変", "𠀋", "x"]);
  assert.deepEqual(wordsOf("мир_дружба"), ["мир", "дружба"]);
  assert.deepEqual(wordsOf("   "), []);
});

Deno.test("a term matches where each of its words begins a word of the path", () => {
  const path = foldText("Music/Björk/Homogenic/01 Hunter.flac");
  assert.ok(matchesAll(path, searchWords("bjork homogenic")));
  assert.ok(matchesAll(path, searchWords("BJÖ hom hun 01")));
  assert.ok(matchesAll(path, searchWords(".flac")), "punctuation in a term is a separator");
  assert.ok(!matchesAll(path, searchWords("ogenic")), "inside a word is no match");
  assert.ok(!matchesAll(path, searchWords("bjork zebra")), "every word is needed");
  assert.ok(!matchesAll(path, searchWords("1")), "01 does not begin with 1");
  // a word that occurs first inside another and later at a word's start still matches
  assert.ok(matchesAll(foldText("remix/mix tape"), ["mix"]));
  assert.ok(!matchesAll(foldText("remix"), ["mix"]));
  assert.ok(matchesAll(foldText("東京事変 - 教育"), searchWords("京 教育")));
  assert.ok(matchesAll(foldText("abc日本"), ["本"]));
});

Deno.test("a term must be text with something to look for", () => {
  assert.deepEqual(searchWords(undefined), []);
  assert.deepEqual(searchWords(""), []);
  assert.deepEqual(searchWords("Love love LOVE"), ["love"]);
  for (const bad of ["***", "x".repeat(501), 42 as unknown as string]) {
    assert.throws(() => searchWords(bad), (e) => e instanceof HdpError && e.code === "BAD_REQUEST");
  }
});

Deno.test("the index keeps a long word's first 48 characters", () => {
  const long = "a".repeat(100);
  assert.deepEqual([...indexWords(`${long}.mp3`)], ["a".repeat(48), "mp3"]);
});
