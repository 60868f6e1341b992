/**
 * The share index benchmark: cold index, unchanged rescan, mixed queries (1,200 by default) and
 * peak RSS over a tree of N files, next to `find` over the same tree as the floor.
 *
 *   deno run -A bench/index_bench.ts [--files 100000] [--tree DIR] [--queries 1200]
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

function p50p99(ms: number[]): string {
  return `${fixed(percentile(ms, 50), 2)} / ${fixed(percentile(ms, 99), 2)} ms`;
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
    options: {
      files: { type: "string", default: "100000" },
      tree: { type: "string" },
      queries: { type: "string", default: "1200" },
    },
  });
  const files = Number(values.files);
  const queries = Number(values.queries);
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

  // Mixed queries: one level of a random album or artist, a recursive first page of a random
  // artist, searches of common words only (one word; three or four), which the word index cannot
  // narrow, and searches as someone who knows what they look for types them: an artist's number
  // and a word of the name, or an album's year and artist. Searches but those of one common word
  // (a third of the share matches) are also timed to their last page.
  const random = seeded(42);
  const dirs = (await shares.query({ path: "Media", recursive: true, limit: 5000 })).entries
    .filter((e) => e.isDir).map((e) => e.name);
  const artists = Math.ceil(files / 96);
  const KINDS = ["level", "recursive", "common1", "common3", "artist", "album"] as const;
  type Kind = typeof KINDS[number];
  const kinds = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  const toLast = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<
    Kind,
    number[]
  >;
  const all: number[] = [];
  for (let i = 0; i < queries; i++) {
    const dir = dirs[Math.floor(random() * dirs.length)]!;
    const w = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const artist = Math.floor(random() * artists);
    const kind = KINDS[i % KINDS.length]!;
    const query = kind === "level"
      ? { path: dir }
      : kind === "recursive"
      ? { path: dir.split("/").slice(0, 3).join("/"), recursive: true }
      : kind === "common1"
      ? { path: "", searchTerm: w() }
      : kind === "common3"
      ? {
        path: "",
        searchTerm: `${w()} ${random() < 0.5 ? "artist 1" : w()} ${Math.floor(random() * 12)}`,
      }
      : kind === "artist"
      ? { path: "", searchTerm: `artist ${artist} ${w()}` }
      : {
        path: "",
        searchTerm: `${1970 + (Math.floor(random() * 8) * 7 + artist) % 50} ${artist}`,
      };
    const start = performance.now();
    if (!("searchTerm" in query) || kind === "common1") { // one common word lists a third of it
      await shares.query(query);
    } else {
      // the first page as it arrives, then every page: one run, as a search is answered
      let first = true;
      for await (const _ of shares.pages(query)) {
        if (first) kinds[kind].push(performance.now() - start);
        first = false;
      }
      toLast[kind].push(performance.now() - start);
      all.push(kinds[kind].at(-1)!);
      continue;
    }
    const ms = performance.now() - start;
    kinds[kind].push(ms);
    all.push(ms);
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
      }x find; target at 1M: >= 100000 files/s)`,
    ],
    [
      "unchanged rescan",
      `${fixed(rescanMs / 1000, 2)} s (${fixed(rescanMs / findMs)}x find; target at 1M: <= 3 s)`,
    ],
    [
      `queries p50 / p99 (all ${queries})`,
      `${fixed(percentile(all, 50), 2)} / ${fixed(percentile(all, 99), 2)} ms`,
    ],
    ...KINDS.flatMap((k) => {
      const search = k !== "level" && k !== "recursive";
      const first = [
        `  ${k} first page p50 / p99`,
        `${p50p99(kinds[k])}${search ? " (target p99 <= 10 ms)" : ""}`,
      ];
      return toLast[k].length > 0
        ? [first, [`  ${k} to its last page`, `${p50p99(toLast[k])} (target p99 <= 50 ms)`]]
        : [first];
    }),
    [
      "RSS after cold index / rescan",
      `${fixed(rssAfterCold, 0)} / ${fixed(rssAfterRescan, 0)} MiB`,
    ],
    ["heap in use at the end", `${fixed(Deno.memoryUsage().heapUsed / 2 ** 20, 0)} MiB`],
    ["peak RSS (whole run)", `${fixed(peakRssMiB(), 0)} MiB (target <= 150 MiB)`],
  ];
  for (const [k, v] of rows) console.log(`${k!.padEnd(30)} ${v}`);
}
