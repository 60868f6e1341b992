/**
 * The word index: for each word of a share's names, the directories where it occurs, so that a
 * search reads the directories of its rarest word instead of the whole share. It sits beside the
 * path index in the same KV database and only ever narrows: every directory it names is read and
 * matched again (`src/wire/search_words.ts`), so a stale posting costs a wasted read, never a
 * wrong answer. What it must never do is leave a directory out, hence the `clean` flag below.
 *
 * Keys (share-relative directory paths, "" for the share's root):
 *   ["sw", share, "s"]               → WordState
 *   ["sw", share, "f", word, seq]    → dirPaths    (directories holding a file with this word)
 *   ["sw", share, "t", word, seq]    → dirPaths    (directories whose own name has this word)
 * Postings are written in bulk, many directories per value (KV reads cost far more per call than
 * per byte), and only added: a word that left a directory stays posted there until the next
 * rebuild, which is harmless. A search narrows through the index only when its rarest word names
 * few directories; reading many directories one by one costs more than walking the whole tree.
 */
import { logger } from "../log.ts";
import type { Entry } from "./index_store.ts";
import { indexWords, MAX_INDEXED_WORD } from "../wire/mod.ts";

const log = logger("word-index");

/** The layout above; another version is rebuilt from the path index. */
const VERSION = 1;

interface WordState {
  v: number;
  /**
   * False from before the first directory is written whose postings are still in memory until
   * they are all written: an index found unclean at start (a crash) is rebuilt.
   */
  clean: boolean;
}

/**
 * A search narrows through the index when its rarest word names at most this many directories
 * (with those below the directories whose name has it), or more in a larger scope (see
 * {@link narrowLimit}); past that it walks the tree, which reads the share in order at a fraction
 * of the cost per directory.
 */
export const NARROW_LIMIT = 1500;
/**
 * Reading one directory named by the index costs about as much as walking past this many files
 * (measured with bench/index_bench.ts: a KV read per directory against a listing of them all).
 */
const FILES_PER_DIR_READ = 70;

/** The most directories a search narrows to in a scope of `files` files. */
export function narrowLimit(files: number): number {
  return Math.max(NARROW_LIMIT, Math.ceil(files / FILES_PER_DIR_READ));
}
/**
 * Postings values read per KV round trip: a common word's list is long, and is read only until
 * it is past the limit.
 */
const POSTINGS_BATCH = 16;
/** Postings held in memory before they are written. */
const BUFFERED_POSTINGS = 200_000;
/** Candidate lists kept for the next pages of the same search. */
const CACHED_SEARCHES = 32;
/** A postings value stays below KV's 64 KiB. */
const VALUE_BYTES = 60_000;
const MAX_MUTATIONS = 1000;
const MAX_BATCH_BYTES = 512 * 1024;

type Kind = "f" | "t";

interface ShareWords {
  state: WordState;
  /** The state as last written: whether a dirty mark must be written before directories. */
  writtenClean: boolean;
  /** Postings not yet written: kind + "\0" + word → directory paths. */
  postings: Map<string, string[]>;
  buffered: number;
  /** Bumped by every change: cached candidates of an older generation are stale. */
  generation: number;
}

/**
 * The sorted candidate directories of a search, with the rarest of its words (the one they come
 * from: a match test that tries it first rejects most entries at once), or null when the index
 * cannot narrow it.
 */
export type Candidates = { dirs: string[]; rarest: string } | null;

export class WordIndex {
  readonly #kv: Deno.Kv;
  readonly #shares = new Map<string, ShareWords>();
  /** Recent searches' candidates, by share, scope and words (insertion order: oldest first). */
  readonly #cache = new Map<string, { generation: number; dirs: Candidates }>();
  #seq = Date.now() * 1000;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Loads a share's word index. Returns false when it must be rebuilt from the path index first
   * (none yet, another layout, or left unclean by a crash); it is then not used until rebuilt.
   */
  async load(share: string): Promise<boolean> {
    this.#cache.clear();
    const state = (await this.#kv.get<WordState>(["sw", share, "s"])).value;
    if (state?.v !== VERSION || !state.clean) {
      this.#shares.delete(share);
      return false;
    }
    this.#shares.set(share, fresh(state));
    return true;
  }

  /** Whether searches of the share may use the index. */
  usable(share: string): boolean {
    return this.#shares.has(share);
  }

  /**
   * Notes a directory the path index is about to hold: its files' words, and for a new
   * directory the words of its own name. `before` is what it held until now (null for a new
   * directory): only words it did not have are posted.
   */
  noteDir(
    share: string,
    dirPath: string,
    entries: readonly Entry[],
    before: readonly Entry[] | null | undefined,
  ): void {
    const words = this.#shares.get(share);
    if (!words) return; // being rebuilt, or not loaded: the rebuild reads the path index
    const had = new Set<string>();
    if (before) { for (const [name, isDir] of before) if (!isDir) indexWords(name, had); }
    const gained = new Set<string>();
    for (const [name, isDir] of entries) {
      if (isDir) continue;
      for (const word of indexWords(name)) if (!had.has(word)) gained.add(word);
    }
    words.generation++;
    this.#post(words, "f", gained, dirPath);
    if (before === null && dirPath !== "") {
      this.#post(words, "t", indexWords(dirPath.slice(dirPath.lastIndexOf("/") + 1)), dirPath);
    }
  }

  /** Whether enough is held in memory that it should be written. */
  get full(): boolean {
    for (const words of this.#shares.values()) if (words.buffered >= BUFFERED_POSTINGS) return true;
    return false;
  }

  /**
   * Marks each share with postings in memory unclean, before the directories they are for are
   * written: a crash in between then leads to a rebuild, not to directories searches miss.
   */
  async beforeDirWrites(): Promise<void> {
    for (const [share, words] of this.#shares) {
      if (!words.writtenClean || words.buffered === 0) continue;
      await this.#kv.set(["sw", share, "s"], { ...words.state, clean: false });
      words.writtenClean = false;
    }
  }

  /** Writes everything held in memory and marks each share clean. */
  async flush(): Promise<void> {
    for (const [share, words] of this.#shares) await this.#write(share, words, true);
  }

  async #write(share: string, words: ShareWords, clean: boolean): Promise<void> {
    if (words.writtenClean === clean && words.buffered === 0) return;
    const writes: Array<[Deno.KvKey, unknown, number]> = [];
    for (const [key, dirs] of words.postings) {
      const kind = key[0]!;
      const word = key.slice(2);
      for (const [value, bytes] of postingValues(dirs)) {
        writes.push([["sw", share, kind, word, this.#seq++], value, bytes + word.length * 3 + 40]);
      }
    }
    words.postings.clear();
    words.buffered = 0;
    words.state = { ...words.state, clean };
    writes.push([["sw", share, "s"], words.state, 64]);
    await commitAll(this.#kv, writes);
    words.writtenClean = clean;
  }

  /**
   * Builds a share's word index again from its path index (`chunks` in key order). Searches scan
   * meanwhile; the caller keeps other writes of the share away until it is done.
   */
  async rebuild(
    share: string,
    chunks: AsyncIterable<{ dirPath: string; entries: Entry[] }>,
  ): Promise<void> {
    const started = performance.now();
    this.#shares.delete(share);
    await this.deleteShare(share);
    const words = fresh({ v: VERSION, clean: false });
    words.writtenClean = false;
    let current: string | undefined;
    let dirs = 0;
    for await (const { dirPath, entries } of chunks) {
      if (dirPath !== current) {
        current = dirPath;
        dirs++;
        if (dirPath !== "") {
          this.#post(words, "t", indexWords(dirPath.slice(dirPath.lastIndexOf("/") + 1)), dirPath);
        }
      }
      const found = new Set<string>();
      for (const [name, isDir] of entries) if (!isDir) indexWords(name, found);
      this.#post(words, "f", found, dirPath);
      if (words.buffered >= BUFFERED_POSTINGS) await this.#write(share, words, false);
    }
    await this.#write(share, words, true);
    this.#shares.set(share, words);
    log.info("built the word index", { share, dirs, ms: Math.round(performance.now() - started) });
  }

  /** Forgets a share's word index. */
  async deleteShare(share: string): Promise<void> {
    this.#shares.delete(share);
    this.#cache.clear();
    const writes: Array<[Deno.KvKey, null, number]> = [];
    for await (const { key } of this.#kv.list({ prefix: ["sw", share] })) {
      writes.push([key, null, 256]);
      if (writes.length >= MAX_MUTATIONS) await commitAll(this.#kv, writes.splice(0));
    }
    await commitAll(this.#kv, writes);
  }

  /**
   * The directories of `share` that may hold matches of `words`, within `scope` (a directory
   * path, "" for the whole share), sorted as KV sorts keys, from the postings of the rarest word:
   * each directory where it is a file's word, and for each directory whose own name has it, that
   * directory's parent and everything below it (`dirsBelow` lists a directory's subtree from the
   * path index). Null when the index is not usable or no word names at most `limit` directories
   * (default {@link NARROW_LIMIT}).
   */
  async candidates(
    share: string,
    scope: string,
    words: readonly string[],
    dirsBelow: (dirPath: string) => AsyncIterable<string>,
    limit = NARROW_LIMIT,
  ): Promise<Candidates> {
    const state = this.#shares.get(share);
    if (!state || words.length === 0) return null;
    const key = JSON.stringify([share, scope, words, limit]);
    const cached = this.#cache.get(key);
    if (cached?.generation === state.generation) return cached.dirs;
    const dirs = await this.#narrow(share, scope, words, dirsBelow, limit);
    this.#cache.delete(key);
    this.#cache.set(key, { generation: state.generation, dirs });
    if (this.#cache.size > CACHED_SEARCHES) this.#cache.delete(this.#cache.keys().next().value!);
    return dirs;
  }

  async #narrow(
    share: string,
    scope: string,
    words: readonly string[],
    dirsBelow: (dirPath: string) => AsyncIterable<string>,
    limit: number,
  ): Promise<Candidates> {
    // all words' postings are read at once; the first to end bounds the others' reads
    const bound = { dirs: limit };
    const lists = await Promise.all(words.map((word) => this.#postings(share, word, bound)));
    let best: { f: Set<string>; t: Set<string> } | null = null;
    let rarest = "";
    for (const [i, list] of lists.entries()) {
      if (list && (!best || list.f.size + list.t.size < best.f.size + best.t.size)) {
        best = list;
        rarest = words[i]!;
      }
    }
    if (!best) return null;
    const inScope = (dir: string) => scope === "" || dir === scope || dir.startsWith(scope + "/");
    const found = new Set<string>();
    for (const dir of best.f) if (inScope(dir)) found.add(dir);
    for (const dir of best.t) {
      const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
      if (dir !== scope && inScope(parent)) found.add(parent);
      const root = inScope(dir) ? dir : scope.startsWith(dir + "/") ? scope : undefined;
      if (root === undefined) continue;
      for await (const below of dirsBelow(root)) {
        found.add(below);
        if (found.size > limit) return null;
      }
    }
    return { dirs: [...found].sort(compareCodePoints), rarest };
  }

  /**
   * A word's postings (and of every word it begins), or null past `bound.dirs` directories. A
   * word read to its end lowers the bound to its count: a longer list would not be chosen.
   */
  async #postings(
    share: string,
    word: string,
    bound: { dirs: number },
  ): Promise<{ f: Set<string>; t: Set<string> } | null> {
    const key = word.slice(0, MAX_INDEXED_WORD);
    const out = { f: new Set<string>(), t: new Set<string>() };
    const over = () => out.f.size + out.t.size > bound.dirs;
    const read = async (kind: Kind) => {
      const iter = this.#kv.list<string[]>({
        start: ["sw", share, kind, key],
        end: ["sw", share, kind, key + "\u{10ffff}"],
      }, { batchSize: POSTINGS_BATCH });
      for await (const { value } of iter) {
        if (over()) return;
        if (!Array.isArray(value)) continue;
        for (const dir of value) if (typeof dir === "string") out[kind].add(dir);
      }
    };
    await Promise.all([read("f"), read("t")]);
    if (over()) return null;
    bound.dirs = Math.min(bound.dirs, out.f.size + out.t.size);
    return out;
  }

  #post(words: ShareWords, kind: Kind, found: Iterable<string>, dirPath: string): void {
    for (const word of found) {
      const key = `${kind}\0${word}`;
      const dirs = words.postings.get(key);
      if (dirs) dirs.push(dirPath);
      else words.postings.set(key, [dirPath]);
      words.buffered++;
    }
  }
}

function fresh(state: WordState): ShareWords {
  return { state, writtenClean: true, postings: new Map(), buffered: 0, generation: 0 };
}

/** Orders paths as KV orders keys (by code point), which is not JavaScript's `<` beyond U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // a surrogate (U+D800–DFFF) stands for a code point above every other BMP unit
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Distinct directory paths cut into values that fit KV, each with an upper bound of its size. */
export function postingValues(dirs: readonly string[]): Array<[string[], number]> {
  const values: Array<[string[], number]> = [];
  let current: string[] = [];
  let bytes = 0;
  for (const dir of new Set(dirs)) {
    const size = dir.length * 3 + 8;
    if (current.length > 0 && bytes + size > VALUE_BYTES) {
      values.push([current, bytes]);
      current = [];
      bytes = 0;
    }
    current.push(dir);
    bytes += size;
  }
  if (current.length > 0) values.push([current, bytes]);
  return values;
}

/** Commits sets (and deletes, for a null value) in batches within KV's limits. */
async function commitAll(kv: Deno.Kv, writes: Array<[Deno.KvKey, unknown, number]>): Promise<void> {
  let i = 0;
  while (i < writes.length) {
    const op = kv.atomic();
    let count = 0;
    let bytes = 0;
    while (i < writes.length && count < MAX_MUTATIONS) {
      const [key, value, size] = writes[i]!;
      if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
      if (value === null) op.delete(key);
      else op.set(key, value);
      i++;
      count++;
      bytes += size;
    }
    if (!(await op.commit()).ok) throw new Error("A word index write was refused by the database");
  }
}
