/**
 * Answering `Ls` from the index: one level, recursive, or a search; sorted; in pages with a cursor,
 * so memory stays bounded whatever a share holds.
 */
import {
  DEFAULT_LS_LIMIT,
  filters,
  foldText,
  HdpError,
  hdpError,
  type LsEntry,
  type LsPage,
  type LsQuery,
  matchesAll,
  MAX_LS_LIMIT,
  parsePath,
  passes,
  type SearchFilter,
  searchWords,
  type Totals,
} from "../wire/mod.ts";
import type { Entry, IndexStore } from "./index_store.ts";
import { resolveInRoot } from "./jail.ts";
import { compareCodePoints, narrowLimit } from "./word_index.ts";

/** A share as the queries need it. */
export interface ShareRef {
  name: string;
  scanning: boolean;
  /** Its directory on disk: a path not in the index is looked up there to say why. */
  root?: string;
}

/** A search page is answered after this much scanning, full or not (it then has a cursor). */
export const SEARCH_PAGE_MS = 20;
/**
 * A full search page goes on counting the hits after it this much longer, so that it can say the
 * true total (the count then rides in its cursor); past that the total is unknown until the
 * last page, and the pages between do not count again.
 */
export const SEARCH_COUNT_MS = 100;
/** A search through the word index reads the directories it names in groups of this many… */
const READ_GROUP = 10;
/** …and this many groups ahead of the one it matches. */
const READ_AHEAD = 2;

interface Position {
  /** Share name. */
  s: string;
  /** Directory path within the share. */
  d: string;
  /** Chunk number. */
  c: number;
  /** Index within the chunk. */
  i: number;
  /** Search hits counted so far (files, bytes). */
  f?: number;
  b?: number;
  /** Every hit of the search (files, bytes), once counted. */
  t?: [number, number];
  /**
   * 1: the count after an earlier page ran out of time. Later pages do not count again (each
   * would spend its time on the same hits); the total comes with the last page.
   */
  n?: 1;
}

/** Yields the pages of a query's answer until the end. */
export async function* lsPages(
  store: IndexStore,
  shares: readonly ShareRef[],
  query: LsQuery,
): AsyncGenerator<LsPage> {
  let cursor = query.cursor;
  do {
    const page = await lsPage(store, shares, { ...query, ...(cursor ? { cursor } : {}) });
    yield page;
    cursor = page.cursor;
  } while (cursor);
}

/** Answers one page of a query. Throws `BAD_REQUEST` or `NOT_FOUND` with a reason. */
export async function lsPage(
  store: IndexStore,
  shares: readonly ShareRef[],
  query: LsQuery,
): Promise<LsPage> {
  const segments = parsePath(query.path);
  const limit = pageLimit(query.limit);
  const from = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const words = searchWords(query.searchTerm);
  const [shareName, ...rest] = segments;
  if (shareName === undefined && words.length === 0) {
    if (query.recursive) return await walk(store, shares, "", limit, from, null);
    return await listShares(store, shares);
  }
  const targets = shareName === undefined ? shares : shares.filter((s) => s.name === shareName);
  if (targets.length === 0) throw hdpError("NOT_FOUND", `No share named "${shareName}"`);
  const dirPath = rest.join("/");
  if (words.length === 0 && shareName !== undefined) {
    const share = targets[0]!;
    const meta = await store.getDir(share.name, dirPath);
    if (!meta) return await fileAsListing(store, share, rest, query.path);
    if (!query.recursive) return await listDir(store, share, dirPath, limit, from, meta);
  }
  // kinds and sizes narrow searches only
  const narrowed = words.length > 0 && filters(query) ? query : undefined;
  return await walk(
    store,
    targets,
    dirPath,
    limit,
    from,
    words.length > 0 ? words : null,
    narrowed,
  );
}

async function listShares(store: IndexStore, shares: readonly ShareRef[]): Promise<LsPage> {
  const entries: LsEntry[] = [];
  let files = 0;
  let bytes = 0;
  for (const share of shares) {
    const meta = await store.getDir(share.name, "");
    entries.push({
      name: share.name,
      size: meta?.bytes ?? 0,
      isDir: true,
      mtime: meta?.mtime ?? 0,
    });
    files += meta?.files ?? 0;
    bytes += meta?.bytes ?? 0;
  }
  return { entries, partial: shares.some((s) => s.scanning), totals: { files, bytes } };
}

async function listDir(
  store: IndexStore,
  share: ShareRef,
  dirPath: string,
  limit: number,
  from: Position | undefined,
  meta: { files: number; bytes: number },
): Promise<LsPage> {
  const prefix = dirPath === "" ? share.name : `${share.name}/${dirPath}`;
  const entries: LsEntry[] = [];
  let skip = from?.i ?? 0;
  for await (
    const { chunk, entries: chunkEntries } of store.dirChunks(share.name, dirPath, from?.c ?? 0)
  ) {
    for (let i = skip; i < chunkEntries.length; i++) {
      if (entries.length === limit) {
        return page(entries, share.scanning, meta, { s: share.name, d: dirPath, c: chunk, i });
      }
      entries.push(toLsEntry(prefix, chunkEntries[i]!));
    }
    skip = 0;
  }
  return page(entries, share.scanning, meta);
}

/** A recursive listing or a search over one or all shares. */
async function walk(
  store: IndexStore,
  shares: readonly ShareRef[],
  dirPath: string,
  limit: number,
  from: Position | undefined,
  words: string[] | null,
  filter?: SearchFilter,
): Promise<LsPage> {
  const entries: LsEntry[] = [];
  const hits = { files: from?.f ?? 0, bytes: from?.b ?? 0 };
  let deadline = performance.now() + SEARCH_PAGE_MS;
  /** The page is full, and the hits after it are being counted: where the next page starts. */
  let full: Position | undefined;
  const known: Totals | undefined = from?.t ? { files: from.t[0], bytes: from.t[1] } : undefined;
  let started = from === undefined;
  /** A page reads at least one chunk before it may answer for lack of time: it always advances. */
  let read = 0;
  for (const share of shares) {
    if (!started && share.name !== from!.s) continue;
    const resume = !started ? { dirPath: from!.d, chunk: from!.c } : undefined;
    let skip = !started ? from!.i : 0;
    started = true;
    const search = words ? await searchPlan(store, share, dirPath, words, resume) : undefined;
    const chunks = search?.chunks ?? store.treeChunks(share.name, dirPath, resume);
    const order = search?.words ?? words;
    for await (const chunk of chunks) {
      if (words && read++ > 0 && performance.now() > deadline) {
        // the count after a full page ran out of time: the total is not known yet
        if (full) return page(entries, anyScanning(shares), undefined, { ...full, n: 1 });
        // A search that finds little scans a lot: answer with what it has so far and a cursor,
        // so that results arrive as they are found and no answer waits on the whole index.
        const at: Position = { s: share.name, d: chunk.dirPath, c: chunk.chunk, i: skip };
        return page(entries, anyScanning(shares), known, {
          ...at,
          f: hits.files,
          b: hits.bytes,
          ...(from?.t ? { t: from.t } : {}),
          ...(from?.n ? { n: from.n } : {}),
        });
      }
      const prefix = chunk.dirPath === "" ? share.name : `${share.name}/${chunk.dirPath}`;
      // folding works character by character: the directory's part is folded once per chunk
      const folded = words ? `${foldText(prefix)}/` : "";
      for (let i = skip; i < chunk.entries.length; i++) {
        const entry = chunk.entries[i]!;
        const path = `${prefix}/${entry[0]}`;
        if (order && !matchesAll(folded + foldText(entry[0]), order)) continue;
        if (filter && !passes(filter, { name: path, isDir: entry[1] === 1, size: entry[2] })) {
          continue;
        }
        if (full) { // counting what follows the page
          if (!entry[1]) {
            hits.files++;
            hits.bytes += entry[2];
          }
          continue;
        }
        if (entries.length === limit) {
          const at: Position = { s: share.name, d: chunk.dirPath, c: chunk.chunk, i };
          if (!words) return page(entries, anyScanning(shares), undefined, at);
          const next: Position = { ...at, f: hits.files, b: hits.bytes };
          if (known) return page(entries, anyScanning(shares), known, { ...next, t: from!.t! });
          if (from?.n) return page(entries, anyScanning(shares), undefined, { ...next, n: 1 });
          // the true total: count the hits after this page, a little longer
          full = next;
          deadline = performance.now() + SEARCH_COUNT_MS;
          if (!entry[1]) { // this one is the first after the page
            hits.files++;
            hits.bytes += entry[2];
          }
          continue;
        }
        entries.push(toLsEntry(prefix, entry));
        if (!entry[1]) {
          hits.files++;
          hits.bytes += entry[2];
        }
      }
      skip = 0;
    }
  }
  const totals = words ? hits : await treeTotals(store, shares, dirPath);
  if (full) {
    return page(entries, anyScanning(shares), totals, { ...full, t: [hits.files, hits.bytes] });
  }
  return page(entries, anyScanning(shares), totals);
}

type Chunk = { dirPath: string; chunk: number; entries: Entry[] };

/**
 * How a search reads a share: the chunks it must read, in the order of a full walk (those of the
 * directories the word index names when it can narrow the search, else every chunk of the tree),
 * and its words in the order to test them (the rarest first).
 */
async function searchPlan(
  store: IndexStore,
  share: ShareRef,
  dirPath: string,
  words: string[],
  resume: { dirPath: string; chunk: number } | undefined,
): Promise<{ chunks: AsyncIterable<Chunk>; words: string[] }> {
  // a word of the share's name holds everywhere in it: it narrows nothing
  const shareName = foldText(share.name);
  const narrowing = words.filter((word) => !matchesAll(shareName, [word]));
  // reading the directories one by one pays against walking the files of the whole scope
  const files = (await store.getDir(share.name, dirPath))?.files ?? 0;
  const found = await store.words.candidates(
    share.name,
    dirPath,
    narrowing,
    (root) => below(root),
    narrowLimit(files),
  );
  if (found === null) return { chunks: store.treeChunks(share.name, dirPath, resume), words };
  const rarest = found.rarest;
  return {
    chunks: readDirs(store, share.name, found.dirs, resume),
    words: [rarest, ...words.filter((word) => word !== rarest)],
  };

  async function* below(root: string): AsyncGenerator<string> {
    for await (const [path] of store.treeDirs(share.name, root)) yield path;
  }
}

/** The chunks of `dirs` (sorted), from `resume` on. */
async function* readDirs(
  store: IndexStore,
  share: string,
  dirs: string[],
  resume: { dirPath: string; chunk: number } | undefined,
): AsyncGenerator<Chunk> {
  let i = 0;
  if (resume) { while (i < dirs.length && compareCodePoints(dirs[i]!, resume.dirPath) < 0) i++; }
  // KV answers each read after a round trip: directories are read in groups, a few ahead
  const read = (group: string[]) => {
    const chunks = store.dirsChunks(share, group);
    chunks.catch(() => {}); // a page that ends early leaves reads behind: their failure is no one's
    return chunks;
  };
  const groups: string[][] = [];
  for (let at = i; at < dirs.length; at += READ_GROUP) groups.push(dirs.slice(at, at + READ_GROUP));
  const ahead = groups.slice(0, READ_AHEAD).map(read);
  for (let g = 0; g < groups.length; g++) {
    const answered = await ahead.shift()!;
    if (g + READ_AHEAD < groups.length) ahead.push(read(groups[g + READ_AHEAD]!));
    for (const [k, dir] of groups[g]!.entries()) {
      const from = resume?.dirPath === dir ? resume.chunk : 0;
      for (const { chunk, entries } of answered[k]!) {
        if (chunk >= from) yield { dirPath: dir, chunk, entries };
      }
    }
  }
}

async function treeTotals(
  store: IndexStore,
  shares: readonly ShareRef[],
  dirPath: string,
): Promise<Totals> {
  const totals = { files: 0, bytes: 0 };
  for (const share of shares) {
    const meta = await store.getDir(share.name, dirPath);
    totals.files += meta?.files ?? 0;
    totals.bytes += meta?.bytes ?? 0;
  }
  return totals;
}

/** `Ls` of a file answers that one file, so a download can start from any path. */
async function fileAsListing(
  store: IndexStore,
  share: ShareRef,
  rest: string[],
  shown: string,
): Promise<LsPage> {
  const name = rest.at(-1);
  if (name !== undefined) {
    const parent = rest.slice(0, -1).join("/");
    for await (const { entries } of store.dirChunks(share.name, parent)) {
      const entry = entries.find((e) => e[0] === name);
      if (entry && !entry[1]) {
        const prefix = parent === "" ? share.name : `${share.name}/${parent}`;
        return page([toLsEntry(prefix, entry)], share.scanning, { files: 1, bytes: entry[2] });
      }
    }
  }
  // not indexed: a symlink leading out of the share (or a device) is NOT_SHARED, as for Read
  if (share.root) {
    try {
      resolveInRoot(share.root, rest);
    } catch (error) {
      if (error instanceof HdpError && error.code === "NOT_SHARED") throw error;
    }
  }
  throw hdpError(
    "NOT_FOUND",
    `Cannot find "${shown}"${share.scanning ? " (the share is still being scanned)" : ""}`,
  );
}

function toLsEntry(prefix: string, [name, isDir, size, mtime]: Entry): LsEntry {
  return { name: `${prefix}/${name}`, size, isDir: isDir === 1, mtime };
}

function page(entries: LsEntry[], partial: boolean, totals?: Totals, next?: Position): LsPage {
  const result: LsPage = { entries, partial };
  if (totals) result.totals = { files: totals.files, bytes: totals.bytes };
  if (next) result.cursor = encodeCursor(next);
  return result;
}

function anyScanning(shares: readonly ShareRef[]): boolean {
  return shares.some((s) => s.scanning);
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LS_LIMIT) {
    throw hdpError("BAD_REQUEST", `The page size must be 1 to ${MAX_LS_LIMIT}`);
  }
  return limit;
}

function encodeCursor(position: Position): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

function decodeCursor(cursor: string): Position {
  const bad = () => hdpError("BAD_REQUEST", "The cursor is not one this node gave out");
  if (typeof cursor !== "string" || cursor.length > 4096) throw bad();
  let value: unknown;
  try {
    const base64 = cursor.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64);
    value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    throw bad();
  }
  const p = value as Partial<Position>;
  const isCount = (n: unknown) =>
    n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0);
  if (
    typeof p !== "object" || p === null || typeof p.s !== "string" || typeof p.d !== "string" ||
    !Number.isSafeInteger(p.c) || p.c! < 0 || !Number.isSafeInteger(p.i) || p.i! < 0 ||
    !isCount(p.f) || !isCount(p.b) || (p.n !== undefined && p.n !== 1) ||
    (p.t !== undefined &&
      (!Array.isArray(p.t) || p.t.length !== 2 || !isCount(p.t[0]) || !isCount(p.t[1])))
  ) {
    throw bad();
  }
  return p as Position;
}
