import assert from "node:assert/strict";
import { join } from "node:path";
import type { LsEntry, LsQuery } from "../wire/mod.ts";
import { type ShareConfig, Shares, type SharesOptions } from "./shares.ts";

interface Fixture extends AsyncDisposable {
  root: string;
  kvPath: string;
  open(configs: ShareConfig[], options?: SharesOptions): Promise<Shares>;
  /** Resolves at the next change any opened `Shares` reports (its `onChange`). */
  nextChange(): Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-shares-" }));
  const kvPath = join(root, "state.kv");
  const opened: Array<{ kv: Deno.Kv; shares: Shares }> = [];
  let change = Promise.withResolvers<void>();
  return {
    root,
    kvPath,
    nextChange: () => change.promise,
    async open(configs, options = {}) {
      const kv = await Deno.openKv(kvPath);
      const shares = await Shares.open(kv, configs, {
        rescanIntervalMs: 0,
        watch: false,
        ...options,
        onChange: (share) => {
          options.onChange?.(share);
          change.resolve();
          change = Promise.withResolvers<void>();
        },
      });
      opened.push({ kv, shares });
      return shares;
    },
    async [Symbol.asyncDispose]() {
      for (const { kv, shares } of opened) {
        await shares.close();
        kv.close();
      }
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function write(path: string, bytes = 1): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeFile(path, new Uint8Array(bytes));
}

async function all(shares: Shares, query: Parameters<Shares["pages"]>[0]): Promise<LsEntry[]> {
  const out: LsEntry[] = [];
  for await (const page of shares.pages(query)) out.push(...page.entries);
  return out;
}

const names = (entries: LsEntry[]) => entries.map((e) => e.name);

/**
 * Resolves once `check` holds: checked now, then after every change the shares report (a watch
 * batch applied ends with one). Fails after `timeoutMs`, a bound and not a wait.
 */
async function changed(
  f: Fixture,
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const next = f.nextChange(); // taken before the check: a change during it is not missed
    if (await check()) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now()));
    });
    const woke = await Promise.race([next, late]).finally(() => clearTimeout(timer));
    if (woke === "late") throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

async function musicShare(f: Fixture): Promise<ShareConfig> {
  const dir = join(f.root, "Music");
  await write(join(dir, "Beatles", "Abbey Road", "01 Come Together.flac"), 100);
  await write(join(dir, "Beatles", "Abbey Road", "02 Something.flac"), 200);
  await write(join(dir, "Beatles", "Help", "01 Help.flac"), 300);
  await write(join(dir, "Bach", "Cello Suite 1.flac"), 400);
  await write(join(dir, "readme.txt"), 5);
  return { name: "Music", path: dir };
}

Deno.test("a scan indexes names, sizes and cumulative totals; listing is one level and sorted", async () => {
  await using f = await fixture();
  const shares = await f.open([await musicShare(f)]);
  await shares.idle();
  const root = await shares.query({ path: "" });
  assert.deepEqual(root.entries.map((e) => [e.name, e.size, e.isDir]), [["Music", 1005, true]]);
  assert.deepEqual(root.totals, { files: 5, bytes: 1005 });
  const music = await shares.query({ path: "Music" });
  assert.deepEqual(names(music.entries), ["Music/Bach", "Music/Beatles", "Music/readme.txt"]);
  assert.deepEqual(music.entries.map((e) => e.size), [400, 600, 5]);
  assert.equal(music.partial, false);
  const beatles = await shares.query({ path: "Music/Beatles/" });
  assert.deepEqual(beatles.totals, { files: 3, bytes: 600 });
  const file = (await shares.query({ path: "Music/Bach/Cello Suite 1.flac" })).entries[0]!;
  assert.equal(file.size, 400);
  assert.equal(file.isDir, false);
  assert.ok(Math.abs(file.mtime - Date.now()) < 60_000);
  const [info] = await shares.list();
  assert.deepEqual([info!.files, info!.bytes, info!.scanning], [5, 1005, false]);
});

Deno.test("a recursive listing has everything below the path and never a sibling with the same prefix", async () => {
  await using f = await fixture();
  const config = await musicShare(f);
  await write(join(config.path, "Beatles2", "x.flac"));
  await write(join(config.path, "Beatles-live", "y.flac"));
  const shares = await f.open([config]);
  await shares.idle();
  const below = names(await all(shares, { path: "Music/Beatles", recursive: true }));
  assert.deepEqual(below, [
    "Music/Beatles/Abbey Road",
    "Music/Beatles/Help",
    "Music/Beatles/Abbey Road/01 Come Together.flac",
    "Music/Beatles/Abbey Road/02 Something.flac",
    "Music/Beatles/Help/01 Help.flac",
  ]);
  const everything = await all(shares, { path: "", recursive: true });
  assert.equal(everything.filter((e) => !e.isDir).length, 7);
});

Deno.test("search is case-insensitive and needs every word somewhere in the path", async () => {
  await using f = await fixture();
  const shares = await f.open([await musicShare(f)]);
  await shares.idle();
  const search = async (searchTerm: string, path = "") =>
    names(await all(shares, { path, searchTerm }));
  assert.deepEqual(await search("HELP"), ["Music/Beatles/Help", "Music/Beatles/Help/01 Help.flac"]);
  assert.deepEqual(await search("beatles 01"), [
    "Music/Beatles/Abbey Road/01 Come Together.flac",
    "Music/Beatles/Help/01 Help.flac",
  ]);
  assert.deepEqual(await search("abbey something"), ["Music/Beatles/Abbey Road/02 Something.flac"]);
  assert.deepEqual(await search("help", "Music/Bach"), []);
  assert.deepEqual(await search("zebra"), []);
  const last = await shares.query({ path: "", searchTerm: "flac" });
  assert.deepEqual(last.totals, { files: 4, bytes: 1000 });
});

Deno.test("search ignores accents and case both ways: bjork finds Björk, BJÖRK finds Bjork", async () => {
  await using f = await fixture();
  const dir = join(f.root, "Songs");
  await write(join(dir, "Björk", "Homogenic", "01 Hunter.flac"));
  await write(join(dir, "Beyoncé", "Lemonade.flac"));
  // the same name in decomposed form (as macOS writes it): o + combining diaeresis
  await write(join(dir, "Mo\u0308tley Cru\u0308e.mp3"));
  await write(join(dir, "Bjork covers.mp3"));
  const shares = await f.open([{ name: "Songs", path: dir }]);
  await shares.idle();
  const search = async (searchTerm: string) => names(await all(shares, { path: "", searchTerm }));
  assert.deepEqual(await search("bjork hunter"), ["Songs/Björk/Homogenic/01 Hunter.flac"]);
  assert.deepEqual((await search("BJÖRK")).sort(), [
    "Songs/Bjork covers.mp3",
    "Songs/Björk",
    "Songs/Björk/Homogenic",
    "Songs/Björk/Homogenic/01 Hunter.flac",
  ]);
  assert.deepEqual(await search("beyonce"), ["Songs/Beyoncé", "Songs/Beyoncé/Lemonade.flac"]);
  assert.deepEqual(await search("mötley crüe"), ["Songs/Mo\u0308tley Cru\u0308e.mp3"]);
});

Deno.test("pages follow cursors to the same result as one big page; bad cursors are refused", async () => {
  await using f = await fixture();
  const dir = join(f.root, "Big");
  for (let i = 0; i < 1234; i++) {
    await write(join(dir, `d${i % 3}`, `file ${String(i).padStart(4, "0")}.bin`));
  }
  const shares = await f.open([{ name: "Big", path: dir }]);
  await shares.idle();
  for (
    const query of [{ path: "Big/d1" }, { path: "Big", recursive: true }, {
      path: "",
      searchTerm: "file 1",
    }]
  ) {
    const whole = names(await all(shares, { ...query, limit: 5000 }));
    let cursor: string | undefined;
    const paged: string[] = [];
    let pages = 0;
    do {
      const page = await shares.query({ ...query, limit: 100, ...(cursor ? { cursor } : {}) });
      assert.ok(page.entries.length <= 100);
      paged.push(...names(page.entries));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(paged, whole, JSON.stringify(query));
    assert.ok(pages >= Math.ceil(whole.length / 100));
  }
  for (const cursor of ["garbage", "eyJzIjoxfQ", "x".repeat(5000)]) {
    await assert.rejects(shares.query({ path: "Big", cursor }), { code: "BAD_REQUEST" });
  }
  await assert.rejects(shares.query({ path: "Big", limit: 0 }), { code: "BAD_REQUEST" });
  await assert.rejects(shares.query({ path: "Nope" }), { code: "NOT_FOUND" });
  await assert.rejects(shares.query({ path: "Big/nope" }), { code: "NOT_FOUND" });
  await assert.rejects(shares.query({ path: "../etc" }), { code: "BAD_REQUEST" });
});

Deno.test("two shares with the same basename are both listed and kept apart", async () => {
  await using f = await fixture();
  await write(join(f.root, "a", "Music", "one.mp3"));
  await write(join(f.root, "b", "Music", "two.mp3"));
  const shares = await f.open([
    { name: "Music", path: join(f.root, "a", "Music") },
    { name: "Music-2", path: join(f.root, "b", "Music") },
  ]);
  await shares.idle();
  assert.deepEqual(names((await shares.query({ path: "" })).entries), ["Music", "Music-2"]);
  assert.deepEqual(names((await shares.query({ path: "Music-2" })).entries), ["Music-2/two.mp3"]);
  assert.equal((await shares.resolveFile("Music/one.mp3")).info.size, 1);
});

Deno.test("changes while running are picked up: add, grow, rename, remove", async () => {
  await using f = await fixture();
  const config = await musicShare(f);
  const shares = await f.open([config], { watch: true });
  await shares.idle();
  const has = async (path: string) =>
    (await all(shares, { path: "", recursive: true })).some((e) => e.name === path);
  const size = async (path: string) => (await shares.query({ path })).entries[0]?.size;

  await write(join(config.path, "New", "Deep", "song.ogg"), 50);
  await changed(f, () => has("Music/New/Deep/song.ogg"), "a new file to be indexed");
  assert.equal((await shares.query({ path: "" })).entries[0]!.size, 1055);

  await Deno.writeFile(join(config.path, "readme.txt"), new Uint8Array(500));
  await changed(f, async () => (await size("Music/readme.txt")) === 500, "a file to grow");

  await Deno.rename(join(config.path, "Beatles", "Help"), join(config.path, "Bach", "Help!"));
  await changed(
    f,
    async () => (await has("Music/Bach/Help!/01 Help.flac")) && !(await has("Music/Beatles/Help")),
    "a folder to move",
  );
  assert.deepEqual((await shares.query({ path: "Music/Beatles" })).totals, {
    files: 2,
    bytes: 300,
  });

  await Deno.remove(join(config.path, "Beatles"), { recursive: true });
  await changed(
    f,
    async () => !(await has("Music/Beatles/Abbey Road/02 Something.flac")),
    "a folder to be removed",
  );
  assert.deepEqual((await shares.query({ path: "Music" })).totals, { files: 4, bytes: 1250 });
});

Deno.test("an unchanged rescan writes nothing, and a removed share's index is forgotten", async () => {
  await using f = await fixture();
  const music = await musicShare(f);
  await write(join(f.root, "Films", "film.mkv"), 10);
  const films = { name: "Films", path: join(f.root, "Films") };
  const first = await f.open([music, films]);
  await first.idle();
  await first.close();
  const second = await f.open([music]);
  await second.idle();
  assert.deepEqual(names((await second.query({ path: "" })).entries), ["Music"]);
  const kv = await Deno.openKv(f.kvPath);
  try {
    const left = await Array.fromAsync(kv.list({ prefix: ["idx", "Films"] }));
    assert.equal(left.length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("a search's first page says the true total of its hits, and so do the pages after it", async () => {
  await using f = await fixture();
  const dir = join(f.root, "Tracks");
  for (let i = 0; i < 120; i++) await write(join(dir, `Album ${i % 4}`, `song ${i}.flac`), 10);
  await write(join(dir, "notes.txt"), 5);
  const shares = await f.open([{ name: "Tracks", path: dir }]);
  await shares.idle();
  const first = await shares.query({ path: "", searchTerm: "song", limit: 50 });
  assert.equal(first.entries.length, 50);
  assert.ok(first.cursor, "more follow");
  assert.deepEqual(first.totals, { files: 120, bytes: 1200 });
  const second = await shares.query({
    path: "",
    searchTerm: "song",
    limit: 50,
    cursor: first.cursor!,
  });
  assert.equal(second.entries.length, 50);
  assert.deepEqual(second.totals, { files: 120, bytes: 1200 });
  const last = await shares.query({
    path: "",
    searchTerm: "song",
    limit: 50,
    cursor: second.cursor!,
  });
  assert.equal(last.entries.length, 20);
  assert.equal(last.cursor, undefined);
  assert.deepEqual(last.totals, { files: 120, bytes: 1200 });
  // every hit once, in order
  const seen = [...first.entries, ...second.entries, ...last.entries].map((e) => e.name);
  assert.equal(new Set(seen).size, 120);
  // a cursor with a forged total is refused like any other bad cursor
  const forged = btoa(JSON.stringify({ s: "Tracks", d: "", c: 0, i: 0, t: [-1, 2] }));
  await assert.rejects(
    shares.query({ path: "", searchTerm: "song", cursor: forged }),
    { code: "BAD_REQUEST" },
  );
});

Deno.test("once a count ran out of time, later pages do not count again and the last one has the total", async () => {
  await using f = await fixture();
  const dir = join(f.root, "Tracks");
  for (let i = 0; i < 120; i++) await write(join(dir, `Album ${i % 4}`, `song ${i}.flac`), 10);
  const shares = await f.open([{ name: "Tracks", path: dir }]);
  await shares.idle();
  const cursorOf = (position: object) =>
    btoa(JSON.stringify(position)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const decode = (cursor: string) => JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
  // the cursor of a page whose count gave up: at the start, nothing counted yet
  let cursor: string | undefined = cursorOf({ s: "Tracks", d: "", c: 0, i: 0, f: 0, b: 0, n: 1 });
  const pages = [];
  while (cursor) {
    const page = await shares.query({ path: "", searchTerm: "song", limit: 50, cursor });
    pages.push(page);
    cursor = page.cursor;
    if (cursor) {
      assert.equal(page.totals, undefined, "a page between counts nothing");
      assert.equal(decode(cursor).n, 1, "and tells the next one so");
    }
  }
  assert.deepEqual(pages.map((p) => p.entries.length), [50, 50, 20]);
  assert.deepEqual(pages.at(-1)!.totals, { files: 120, bytes: 1200 });
  await assert.rejects(
    shares.query({
      path: "",
      searchTerm: "song",
      cursor: cursorOf({ s: "Tracks", d: "", c: 0, i: 0, n: 2 }),
    }),
    { code: "BAD_REQUEST" },
  );
});

Deno.test("a search narrowed to kinds and sizes finds only such files, with their total", async () => {
  await using f = await fixture();
  const dir = join(f.root, "Stuff");
  await write(join(dir, "Live", "concert.flac"), 500);
  await write(join(dir, "Live", "concert.mkv"), 5000);
  await write(join(dir, "Live", "concert poster.jpg"), 50);
  await write(join(dir, "Live", "concert notes.pdf"), 20);
  await write(join(dir, "Live", "tiny concert.mp3"), 5);
  const shares = await f.open([{ name: "Stuff", path: dir }]);
  await shares.idle();
  const search = async (query: Partial<LsQuery>) =>
    names(await all(shares, { path: "", searchTerm: "concert", ...query }));
  assert.deepEqual(await search({ kinds: ["audio"] }), [
    "Stuff/Live/concert.flac",
    "Stuff/Live/tiny concert.mp3",
  ]);
  assert.deepEqual(await search({ kinds: ["audio"], minSize: 100 }), ["Stuff/Live/concert.flac"]);
  assert.deepEqual(await search({ kinds: ["pictures", "documents"] }), [
    "Stuff/Live/concert notes.pdf",
    "Stuff/Live/concert poster.jpg",
  ]);
  assert.deepEqual(await search({ maxSize: 20 }), [
    "Stuff/Live/concert notes.pdf",
    "Stuff/Live/tiny concert.mp3",
  ]);
  const video = await shares.query({ path: "", searchTerm: "live", kinds: ["video"] });
  assert.deepEqual(names(video.entries), ["Stuff/Live/concert.mkv"]); // not the folder "Live"
  assert.deepEqual(video.totals, { files: 1, bytes: 5000 });
});
