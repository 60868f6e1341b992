/**
 * Words as search sees them. A search term and every name are folded (case, accents, NFKD) and
 * cut into words: runs of letters and digits, with each Han, kana or Hangul character a word of its
 * own (those scripts do not separate words with spaces). A path matches a term when every word of
 * the term begins a word of the path: `bjo hom` finds `Björk/Homogenic/01 Hunter.flac`, `ogenic`
 * does not. The word index (`src/shares/word_index.ts`) holds the words of every name, so it and this
 * matching agree by construction.
 */
import { hdpError } from "./errors.ts";

/** The longest search term, in characters. */
export const MAX_TERM_LENGTH = 500;
/** The index keeps this many characters of a longer word (a KV key holds at most 2 KiB). */
export const MAX_INDEXED_WORD = 48;

/**
 * Text as search compares it: lower case, accents and other marks gone (`Björk` → `bjork`,
 * `Beyoncé` → `beyonce`), ligatures and full-width forms made plain (NFKD). ASCII is only
 * lower-cased, which keeps a search over a million names fast.
 */
export function foldText(text: string): string {
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return text.toLowerCase();
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
}

const WORD = /[\p{L}\p{N}]/u;
const SINGLE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Whether the UTF-16 unit at `i` of folded text is part of a word. */
function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
  const point = text.codePointAt(i)!;
  if (c >= 0xdc00 && c <= 0xdfff) return WORD.test(String.fromCodePoint(text.codePointAt(i - 1)!));
  return WORD.test(String.fromCodePoint(point));
}

/** Whether the character at `i` of folded text is a word on its own (Han, kana, Hangul). */
function isSingleAt(text: string, i: number): boolean {
  return text.charCodeAt(i) >= 0x1100 && SINGLE.test(String.fromCodePoint(text.codePointAt(i)!));
}

/** Whether a word of folded text begins at `i`. */
function startsWordAt(text: string, i: number): boolean {
  if (!isWordAt(text, i)) return false;
  if (i === 0 || !isWordAt(text, i - 1)) return true;
  const before = text.charCodeAt(i - 1) >= 0xdc00 && text.charCodeAt(i - 1) <= 0xdfff
    ? i - 2
    : i - 1;
  return isSingleAt(text, i) || isSingleAt(text, before);
}

/** The words of folded text, in order, repeats included. */
export function wordsOf(folded: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // the second half of a character
    if (!isWordAt(folded, i)) {
      if (start >= 0) words.push(folded.slice(start, i));
      start = -1;
    } else if (isSingleAt(folded, i)) {
      if (start >= 0) words.push(folded.slice(start, i));
      words.push(folded.slice(i, i + (c >= 0xd800 && c <= 0xdbff ? 2 : 1)));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push(folded.slice(start));
  return words;
}

/** The distinct words of a name as the index keeps them (folded, at most {@link MAX_INDEXED_WORD}). */
export function indexWords(name: string, into: Set<string> = new Set()): Set<string> {
  for (const word of wordsOf(foldText(name))) into.add(word.slice(0, MAX_INDEXED_WORD));
  return into;
}

/**
 * The words of a search term (folded). Throws `BAD_REQUEST` for a term that is not text, is
 * longer than {@link MAX_TERM_LENGTH} or has no letter or digit at all.
 */
export function searchWords(term: string | undefined): string[] {
  if (term === undefined) return [];
  if (typeof term !== "string") throw hdpError("BAD_REQUEST", "The search term must be text");
  if (term.length > MAX_TERM_LENGTH) throw hdpError("BAD_REQUEST", "The search term is too long");
  const words = [...new Set(wordsOf(foldText(term)))];
  if (words.length === 0 && term.trim() !== "") {
    throw hdpError("BAD_REQUEST", "The search term has no letter or digit to look for");
  }
  return words;
}

/** Whether every word begins a word of `path` (already folded). */
export function matchesAll(path: string, words: readonly string[]): boolean {
  for (const word of words) if (!beginsWordIn(path, word)) return false;
  return true;
}

/** Whether `word` occurs in `text` where a word of `text` begins. */
function beginsWordIn(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    if (startsWordAt(text, at)) return true;
  }
  return false;
}
