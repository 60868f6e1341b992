/**
 * The share index benchmark: cold index, unchanged rescan, 1,000 mixed queries and peak RSS over a
 * tree of N files, next to `find` over the same tree as the floor.
 *
 *   deno run -A bench/index_bench.ts [--files 100000] [--tree DIR]
 *
 * The tree is made once per N (sparse files with realistic sizes and media names) and kept for the
 * next run: ext4 here creates files slowly right after mass deletes.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setLogLevel } from "../src/log.ts";
import { Shares } from "../src/shares/mod.ts";
import { fixed, peakRssMiB, percentile, seeded } from "./_util.ts";

const WORDS = [
  "love",
  "night",
  "blue",
  "river",
  "city",
  "dream",
  "fire",
  "summer",
  "road",
  "light",
  "heart",
  "moon",
  "rain",
  "gold",
  "wild",
  "ocean",
  "shadow",
  "star",
  "winter",
  "dance",
  "home",
  "storm",
];
const GENRES = ["Jazz", "Rock", "Classical", "Electronic", "Folk", "Soundtracks", "Podcasts"];

/** Makes (or reuses) a tree of `files` files: Genre/Artist/Album/NN Title.ext. */
export function makeTree(root: string, files: number): void {
  const marker = `${root}.complete`;
  try {
    if (Deno.readTextFileSync(marker) === String(files)) return;
  } catch { /* not made yet */ }
  try {
    Deno.removeSync(root, { recursive: true });
  } catch { /* nothing to remove */ }
  const random = seeded(files);
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const title = (n: number) => `${word()} ${word()} ${n}`.replace(/^./, (c) => c.toUpperCase());
  let made = 0;
  for (let artist = 0; made < files; artist++) {
    const genre = GENRES[artist % GENRES.length]!;
    for (let album = 0; album < 8 && made < files; album++) {
      const dir = join(
        root,
        genre,
        `Artist ${artist} ${title(artist)}`,
        `${1970 + (album * 7 + artist) % 50} - ${title(album)}`,
      );
      Deno.mkdirSync(dir, { recursive: true });
      for (let track = 1; track <= 12 && made < files; track++, made++) {
        const ext = genre === "Soundtracks" ? "mkv" : genre === "Podcasts" ? "mp3" : "flac";
        const path = join(dir, `${String(track).padStart(2, "0")} ${title(track)}.${ext}`);
        const file = Deno.openSync(path, { create: true, write: true, truncate: true });
        file.truncateSync(Math.floor(random() * 40_000_000)); // sparse: sizes without the disk
        file.close();
      }
    }
  }
  Deno.writeTextFileSync(marker, String(files));
}

async function timeFind(root: string): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command("find", {
    args: [root, "-printf", "%s %T@ %p\\n"],
    stdout: "null", // the listing is produced and thrown away, as the index would take it
  }).output();
  if (!output.success) throw new Error("find failed");
  return performance.now() - start;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { files: { type: "string", default: "100000" }, tree: { type: "string" } },
  });
  const files = Number(values.files);
  const tree = values.tree ?? `/tmp/hdp-bench-tree-${files}`;
  setLogLevel("warn");
  console.log(`index benchmark: ${files} files in ${tree}`);
  let t = performance.now();
  makeTree(tree, files);
  console.log(`tree ready in ${fixed((performance.now() - t) / 1000)} s`);

  const findMs = await timeFind(tree);
  const storage = await Deno.makeTempDir({ prefix: "hdp-bench-kv-" });
  const kv = await Deno.openKv(join(storage, "state.kv"));
  const root = await Deno.realPath(tree);

  t = performance.now();
  const shares = await Shares.open(kv, [{ name: "Media", path: root }], {
    watch: false,
    rescanIntervalMs: 0,
  });
  await shares.idle();
  const coldMs = performance.now() - t;
  const rssAfterCold = Deno.memoryUsage().rss / 2 ** 20;
  const [info] = await shares.list();
  if (info!.files !== files) throw new Error(`indexed ${info!.files} files, expected ${files}`);

  t = performance.now();
  await shares.rescan();
  const rescanMs = performance.now() - t;
  const rssAfterRescan = Deno.memoryUsage().rss / 2 ** 20;

  // 1,000 mixed queries: one level of a random album or artist, a recursive first page of a
  // random artist, and searches of one or two words (two words are rare: they scan everything).
  const random = seeded(42);
  const dirs = (await shares.query({ path: "Media", recursive: true, limit: 5000 })).entries
    .filter((e) => e.isDir).map((e) => e.name);
  const kinds = {
    level: [] as number[],
    recursive: [] as number[],
    search1: [] as number[],
    search2: [] as number[],
  };
  const all: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const dir = dirs[Math.floor(random() * dirs.length)]!;
    const w = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const kind = (["level", "recursive", "search1", "search2"] as const)[i % 4]!;
    const query = kind === "level"
      ? { path: dir }
      : kind === "recursive"
      ? { path: dir.split("/").slice(0, 3).join("/"), recursive: true }
      : kind === "search1"
      ? { path: "", searchTerm: w() }
      : {
        path: "",
        searchTerm: `${w()} ${random() < 0.5 ? "artist 1" : w()} ${Math.floor(random() * 12)}`,
      };
    const start = performance.now();
    await shares.query(query);
    const ms = performance.now() - start;
    kinds[kind].push(ms);
    all.push(ms);
    if (kind === "search2") {
      // a search that finds little answers in time-boxed pages: also time it to the last page
      const t0 = performance.now();
      for await (const _ of shares.pages(query)) { /* every page */ }
      whole.push(performance.now() - t0);
    }
  }
  await shares.close();
  kv.close();
  await Deno.remove(storage, { recursive: true });

  const rows = [
    ["files", String(files)],
    [
      "find -printf (floor)",
      `${fixed(findMs / 1000, 2)} s (${Math.round(files / (findMs / 1000))} files/s)`,
    ],
    [
      "cold index",
      `${fixed(coldMs / 1000, 2)} s (${Math.round(files / (coldMs / 1000))} files/s, ${
        fixed(coldMs / findMs)
      }x find)`,
    ],
    ["unchanged rescan", `${fixed(rescanMs / 1000, 2)} s (${fixed(rescanMs / findMs)}x find)`],
    [
      "queries p50 / p99 (all 1000)",
      `${fixed(percentile(all, 50), 2)} / ${fixed(percentile(all, 99), 2)} ms`,
    ],
    ...Object.entries(kinds).map((
      [k, v],
    ) => [
      `  ${k} p50 / p99`,
      `${fixed(percentile(v, 50), 2)} / ${fixed(percentile(v, 99), 2)} ms`,
    ]),
    [
      "  search2 to its last page p50 / p99",
      `${fixed(percentile(whole, 50), 2)} / ${fixed(percentile(whole, 99), 2)} ms`,
    ],
    [
      "RSS after cold index / rescan",
      `${fixed(rssAfterCold, 0)} / ${fixed(rssAfterRescan, 0)} MiB`,
    ],
    ["heap in use at the end", `${fixed(Deno.memoryUsage().heapUsed / 2 ** 20, 0)} MiB`],
    ["peak RSS (whole run)", `${fixed(peakRssMiB(), 0)} MiB`],
  ];
  for (const [k, v] of rows) console.log(`${k!.padEnd(30)} ${v}`);
}
