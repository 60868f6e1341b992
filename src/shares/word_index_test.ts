import assert from "node:assert/strict";
import { join } from "node:path";
import type { LsQuery } from "../wire/mod.ts";
import { IndexStore } from "./index_store.ts";
import { lsPages } from "./query.ts";
import { scanTree, updateDir } from "./scanner.ts";
import { compareCodePoints, NARROW_LIMIT, narrowLimit, postingValues } from "./word_index.ts";
import { foldText, matchesAll, searchWords } from "../wire/mod.ts";

Deno.test("postings are distinct paths, cut into values that fit KV", () => {
  assert.deepEqual(postingValues(["a", "b", "a"]), [[["a", "b"], 22]]);
  const many = Array.from({ length: 5000 }, (_, i) => `Rock/Artist ${i}/Album ${i}`);
  const values = postingValues(many);
  assert.ok(values.length > 1);
  assert.ok(values.every(([, bytes]) => bytes <= 60_000));
  assert.deepEqual(values.flatMap(([dirs]) => dirs), many);
});

Deno.test("paths sort by code point, as KV orders its keys", async () => {
  const kv = await Deno.openKv(":memory:");
  const names = ["a", "a/b", "ab", "a b", "\uffff", "😀", "\ue000", "é", "a0", "Z", "\ud7ff"];
  for (const name of names) await kv.set(["k", name], 1);
  const listed = (await Array.fromAsync(kv.list({ prefix: ["k"] }))).map((e) => e.key[1]);
  assert.deepEqual([...names].sort(compareCodePoints), listed);
  kv.close();
});

interface Setup extends AsyncDisposable {
  share: string;
  kvPath: string;
  store: IndexStore;
  reopen(): Promise<IndexStore>;
  search(term: string, path?: string, store?: IndexStore): Promise<string[]>;
  /** What a search must answer: every path of a full listing that matches. */
  expected(term: string, path?: string): Promise<string[]>;
}

async function setup(): Promise<Setup> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-words-" }));
  const share = join(base, "share");
  const kvPath = join(base, "state.kv");
  const kvs: Deno.Kv[] = [];
  const open = async () => {
    const kv = await Deno.openKv(kvPath);
    kvs.push(kv);
    const store = new IndexStore(kv);
    if (!(await store.words.load("Media"))) {
      await store.words.rebuild("Media", store.treeChunks("Media", ""));
    }
    return store;
  };
  const store = await open();
  const refs = [{ name: "Media", scanning: false }];
  const collect = async (s: IndexStore, query: LsQuery) => {
    const out: string[] = [];
    for await (const page of lsPages(s, refs, query)) out.push(...page.entries.map((e) => e.name));
    return out;
  };
  return {
    share,
    kvPath,
    store,
    reopen: open,
    search: (term, path = "", s = store) => collect(s, { path, searchTerm: term, limit: 7 }),
    async expected(term, path = "") {
      const words = searchWords(term);
      const all = await collect(store, { path: path || "Media", recursive: true, limit: 5000 });
      return all.filter((name) => matchesAll(foldText(name), words));
    },
    async [Symbol.asyncDispose]() {
      for (const kv of kvs) kv.close();
      await Deno.remove(base, { recursive: true });
    },
  };
}

async function write(path: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeFile(path, new Uint8Array(3));
}

/** A small collection with rare and common words, a deep tree and non-ASCII names. */
async function collection(share: string): Promise<void> {
  const artists = ["Björk", "Miles Davis", "東京事変", "Sigur Rós", "The Beatles"];
  for (const [a, artist] of artists.entries()) {
    for (let album = 0; album < 4; album++) {
      for (let track = 1; track <= 5; track++) {
        const title = ["Night", "Blue", "Homogenic", "Ágætis", "Help"][(a + album + track) % 5];
        await write(
          join(share, "Music", artist, `Album ${album} ${title}`, `0${track} ${title} mix.flac`),
        );
      }
    }
  }
  await write(join(share, "Films", "Blue Velvet (1986)", "Blue Velvet.mkv"));
  await write(join(share, "notes.txt"));
}

const TERMS = [
  "bjork",
  "bjö hom",
  "東京",
  "京",
  "blue",
  "blue velvet",
  "media music",
  "music night 03",
  "album 2 help",
  "ros agaetis",
  "mix",
  "ix",
  "notes",
  "1986",
  "zebra",
  "the beatles help",
  "m",
];

Deno.test("a search through the word index answers exactly what a full scan would", async () => {
  await using t = await setup();
  await collection(t.share);
  await scanTree(t.store, { name: "Media", root: t.share }, "");
  for (const term of TERMS) {
    assert.deepEqual(await t.search(term), await t.expected(term), term);
  }
  for (
    const [term, path] of [["night", "Media/Music"], ["blue", "Media/Films"], [
      "bjork",
      "Media/Music/Björk",
    ]]
  ) {
    assert.deepEqual(
      await t.search(term!, path),
      await t.expected(term!, path),
      `${term} in ${path}`,
    );
  }
  // it narrows: a rare word names few directories, and only these are read
  const none = async function* () {};
  const velvet = await t.store.words.candidates("Media", "", ["blue", "velvet"], none);
  assert.deepEqual(velvet, {
    dirs: ["Films", "Films/Blue Velvet (1986)"].sort(compareCodePoints),
    rarest: "velvet",
  });
  // past its limit it does not: the search walks the tree instead
  assert.equal(await t.store.words.candidates("Media", "", ["velvet"], none, 1), null);
  // a larger scope allows more directories, as walking it costs more
  assert.ok(narrowLimit(10_000_000) > narrowLimit(100_000));
  assert.equal(narrowLimit(0), NARROW_LIMIT);
});

Deno.test("the word index follows changes: new words are found, gone ones are not", async () => {
  await using t = await setup();
  await collection(t.share);
  const target = { name: "Media", root: t.share };
  await scanTree(t.store, target, "");
  await write(join(t.share, "Music", "Björk", "Album 0 Night", "06 Unravel.flac"));
  await updateDir(t.store, target, "Music/Björk/Album 0 Night");
  assert.deepEqual(await t.search("unravel"), ["Media/Music/Björk/Album 0 Night/06 Unravel.flac"]);
  await Deno.rename(join(t.share, "Films"), join(t.share, "Cinema"));
  await scanTree(t.store, target, "");
  assert.deepEqual(await t.search("velvet"), [
    "Media/Cinema/Blue Velvet (1986)",
    "Media/Cinema/Blue Velvet (1986)/Blue Velvet.mkv",
  ]);
  assert.deepEqual(await t.search("films"), []);
  for (const term of TERMS) assert.deepEqual(await t.search(term), await t.expected(term), term);
});

Deno.test("an index left unclean (a crash mid-scan) or missing is rebuilt from the path index", async () => {
  await using t = await setup();
  await collection(t.share);
  await scanTree(t.store, { name: "Media", root: t.share }, "");
  const kv = await Deno.openKv(t.kvPath);
  const state = (await kv.get<{ clean: boolean }>(["sw", "Media", "s"])).value!;
  assert.equal(state.clean, true);
  // as a crash leaves it: the flag unclean and some postings never written
  await kv.set(["sw", "Media", "s"], { ...state, clean: false });
  for await (const { key } of kv.list({ prefix: ["sw", "Media", "f"] })) await kv.delete(key);
  kv.close();
  const fresh = new IndexStore(await Deno.openKv(t.kvPath));
  assert.equal(await fresh.words.load("Media"), false, "not used before it is rebuilt");
  // meanwhile a search scans, and is still right
  assert.deepEqual(await t.search("unknown bjork", "", fresh), []);
  assert.deepEqual(await t.search("homogenic", "", fresh), await t.expected("homogenic"));
  const again = await t.reopen();
  assert.ok(again.words.usable("Media"));
  for (const term of TERMS) {
    assert.deepEqual(await t.search(term, "", again), await t.expected(term), term);
  }
  const dirs = await again.words.candidates("Media", "", ["velvet"], async function* () {});
  assert.equal(dirs?.dirs.length, 2);
});
