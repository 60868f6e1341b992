/**
 * Scanning a share into the index: names, sizes and mtimes only, no hashing. Directories are
 * written whole and only when they changed, so an unchanged rescan only stats and reads metas.
 * Symlinks are followed only while they stay inside the share; loops and unreadable entries are
 * skipped with a warning, never fatal.
 */
import { join } from "node:path";
import { setImmediate } from "node:timers";
import { logger } from "../log.ts";
import { checkName, isInside, MAX_PATH_BYTES, messageOf } from "../wire/mod.ts";
import {
  chunkEntries,
  type DirMeta,
  entriesSignature,
  type Entry,
  type IndexStore,
  totalsOf,
} from "./index_store.ts";

const log = logger("scanner");
const encoder = new TextEncoder();

/** A share as the scanner sees it. */
export interface ScanTarget {
  /** The share's name: the first segment of its paths on the wire. */
  name: string;
  /** The share's root, a real path (symlinks resolved). */
  root: string;
}

/** Counters of one scan. */
export interface ScanStats {
  files: number;
  dirs: number;
  /** Directories whose index changed and was written. */
  written: number;
  skipped: number;
}

/** Options of {@link scanTree}. */
export interface ScanOptions {
  /** Called now and then with the counters so far. */
  onProgress?: (stats: ScanStats) => void;
  /** Entries between two yields to the event loop (queries run meanwhile). Default 4000 (~20 ms). */
  yieldEvery?: number;
  /** Take subdirectories that are already indexed as they are (after a watch event). */
  shallow?: boolean;
}

interface FinishedDir {
  dirPath: string;
  entries: Entry[];
  mtime: number;
  sig: string;
}

/** Finished directories compared with the index per batch. */
const COMPARE_BATCH = 100;

interface Context {
  store: IndexStore;
  target: ScanTarget;
  stats: ScanStats;
  sinceYield: number;
  options: ScanOptions;
  shallow: boolean;
  /**
   * Directories scanned but not yet compared with the index. They are compared in batches:
   * one KV read per directory, awaited one at a time, would cost more than the scan itself.
   */
  finished: FinishedDir[];
}

/** What a directory adds up to, as its parent records it. */
export interface DirSummary {
  files: number;
  bytes: number;
  mtime: number;
}

/**
 * Scans `dirPath` (share-relative, "" for the whole share) and everything below it into the index,
 * deleting what disappeared. Returns the directory's totals, or null when it is gone or unreadable.
 */
export async function scanTree(
  store: IndexStore,
  target: ScanTarget,
  dirPath: string,
  options: ScanOptions = {},
): Promise<{ summary: DirSummary | null; stats: ScanStats }> {
  const ctx: Context = {
    store,
    target,
    stats: { files: 0, dirs: 0, written: 0, skipped: 0 },
    sinceYield: 0,
    options,
    shallow: options.shallow ?? false,
    finished: [],
  };
  const chain = await realChain(target, dirPath);
  const summary = chain === null ? null : await scanDir(ctx, dirPath, chain.at(-1)!, chain);
  await compareFinished(ctx);
  if (summary === null) await deleteTree(store, target.name, dirPath);
  await store.flush();
  options.onProgress?.(ctx.stats);
  return { summary, stats: ctx.stats };
}

/** Removes a directory and everything below it from the index. */
export async function deleteTree(store: IndexStore, share: string, dirPath: string): Promise<void> {
  for await (const [path, meta] of store.treeDirs(share, dirPath)) {
    store.deleteDir(share, path, meta);
    await store.flushIfFull();
  }
}

async function scanDir(
  ctx: Context,
  dirPath: string,
  realDir: string,
  ancestors: string[],
): Promise<DirSummary | null> {
  let dirents: Deno.DirEntry[];
  try {
    // Sync calls: async fs calls cost ~4x more per file here and a scan is thousands of them;
    // the yields below keep the event loop responsive.
    dirents = Array.from(Deno.readDirSync(realDir));
  } catch (error) {
    log.warn("skipping an unreadable directory", {
      share: ctx.target.name,
      dir: dirPath,
      error: messageOf(error),
    });
    ctx.stats.skipped++;
    return null;
  }
  ctx.stats.dirs++;
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    // Plain files, the bulk of a share, take the synchronous path: no promise per file.
    const entry = dirent.isFile
      ? fileEntry(ctx, dirPath, realDir, dirent.name)
      : await scanEntry(ctx, dirPath, realDir, dirent, ancestors);
    if (entry) entries.push(entry);
    if (++ctx.sinceYield >= (ctx.options.yieldEvery ?? 4000)) {
      ctx.sinceYield = 0;
      await ctx.store.flushIfFull();
      ctx.options.onProgress?.(ctx.stats);
      // setImmediate, not setTimeout(0): nested timers are clamped to milliseconds each
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const mtime = latest(entries);
  await writeDir(ctx, dirPath, entries, mtime);
  return { ...totalsOf(entries), mtime };
}

/** A regular file's entry, or null (skipped, with the reason counted and logged). */
function fileEntry(ctx: Context, dirPath: string, realDir: string, name: string): Entry | null {
  const childPath = dirPath === "" ? name : `${dirPath}/${name}`;
  if (!acceptableName(ctx, name, childPath)) return null;
  try {
    const info = Deno.statSync(join(realDir, name));
    if (!info.isFile) return skipped(ctx, childPath, "not a regular file");
    ctx.stats.files++;
    return [name, 0, info.size, info.mtime?.getTime() ?? 0, 0];
  } catch (error) {
    return unreadable(ctx, childPath, error);
  }
}

/** Whether a name can be indexed: safe to send, and its path not too long. */
function acceptableName(ctx: Context, name: string, childPath: string): boolean {
  try {
    checkName(name);
  } catch {
    return skipped(ctx, childPath, "its name cannot be sent safely") !== null;
  }
  if (encoder.encode(childPath).length + ctx.target.name.length + 1 > MAX_PATH_BYTES) {
    return skipped(ctx, childPath, "its path is too long") !== null;
  }
  return true;
}

function unreadable(ctx: Context, path: string, error: unknown): null {
  log.warn("skipping an unreadable entry", {
    share: ctx.target.name,
    path,
    error: messageOf(error),
  });
  ctx.stats.skipped++;
  return null;
}

function skipped(ctx: Context, path: string, why: string): null {
  log.debug("skipping", { share: ctx.target.name, path, why });
  ctx.stats.skipped++;
  return null;
}

async function scanEntry(
  ctx: Context,
  dirPath: string,
  realDir: string,
  dirent: Deno.DirEntry,
  ancestors: string[],
): Promise<Entry | null> {
  const { name } = dirent;
  const childPath = dirPath === "" ? name : `${dirPath}/${name}`;
  const skip = (why: string) => skipped(ctx, childPath, why);
  if (!acceptableName(ctx, name, childPath)) return null;
  let real = join(realDir, name);
  let isDir = dirent.isDirectory;
  let isFile = dirent.isFile;
  let info: Deno.FileInfo | undefined;
  // Only the file system calls are guarded: an unreadable entry is skipped, but an error of the
  // index itself (KV) must end the scan rather than quietly drop a directory.
  try {
    if (dirent.isSymlink) {
      real = Deno.realPathSync(real);
      if (!isInside(ctx.target.root, real)) return skip("a symlink that leads outside the share");
      info = Deno.statSync(real);
      isDir = info.isDirectory;
      isFile = info.isFile;
      if (isDir && ancestors.includes(real)) return skip("a symlink loop");
    }
    if (!isDir) {
      if (!isFile) return skip("not a regular file");
      info ??= Deno.statSync(real);
      if (!info.isFile) return skip("not a regular file");
      ctx.stats.files++;
      return [name, 0, info.size, info.mtime?.getTime() ?? 0, 0];
    }
  } catch (error) {
    return unreadable(ctx, childPath, error);
  }
  const known = ctx.shallow ? await ctx.store.getDir(ctx.target.name, childPath) : null;
  if (known) return [name, 1, known.bytes, known.mtime, known.files];
  const summary = await scanDir(ctx, childPath, real, [...ancestors, real]);
  return summary ? [name, 1, summary.bytes, summary.mtime, summary.files] : null;
}

async function writeDir(
  ctx: Context,
  dirPath: string,
  entries: Entry[],
  mtime: number,
): Promise<void> {
  ctx.finished.push({ dirPath, entries, mtime, sig: entriesSignature(entries, mtime) });
  if (ctx.finished.length >= COMPARE_BATCH) await compareFinished(ctx);
}

/** Compares finished directories with the index and queues writes for those that changed. */
async function compareFinished(ctx: Context): Promise<void> {
  const { store, target } = ctx;
  const batch = ctx.finished.splice(0);
  const stored = await store.getDirs(target.name, batch.map((d) => d.dirPath));
  for (const [i, { dirPath, entries, mtime, sig }] of batch.entries()) {
    const previous = stored[i];
    if (previous?.sig === sig) continue;
    let before: Entry[] | undefined;
    if (previous) {
      // Subdirectories that are gone take their whole subtree with them.
      const now = new Set(entries.filter((e) => e[1] === 1).map((e) => e[0]));
      before = await store.readDir(target.name, dirPath);
      for (const [name, isDir] of before) {
        if (isDir && !now.has(name)) {
          await deleteTree(store, target.name, dirPath === "" ? name : `${dirPath}/${name}`);
        }
      }
    }
    const chunks = chunkEntries(entries);
    const meta: DirMeta = {
      ...totalsOf(entries),
      mtime,
      chunks: chunks.length,
      count: entries.length,
      sig,
    };
    store.putDir(target.name, dirPath, meta, chunks, previous, before);
    ctx.stats.written++;
    await store.flushIfFull();
  }
}

/**
 * The real paths of the share's root and of each directory down to `dirPath`: the ancestors that
 * a symlink below must not lead back to. Null when `dirPath` is gone or leaves the share.
 */
async function realChain(target: ScanTarget, dirPath: string): Promise<string[] | null> {
  const chain = [target.root];
  if (dirPath === "") return chain;
  try {
    for (const segment of dirPath.split("/")) {
      const real = await Deno.realPath(join(chain.at(-1)!, segment));
      if (!isInside(target.root, real) || !(await Deno.stat(real)).isDirectory) return null;
      chain.push(real);
    }
    return chain;
  } catch {
    return null;
  }
}

/**
 * Brings one directory up to date after a change in it (a watch event): rescans it shallowly,
 * then carries its new totals up to the share's root. A directory that is gone is removed with
 * everything below it.
 */
export async function updateDir(
  store: IndexStore,
  target: ScanTarget,
  dirPath: string,
): Promise<ScanStats> {
  const { stats } = await scanTree(store, target, dirPath, { shallow: true });
  await propagateUp(store, target.name, dirPath);
  return stats;
}

/** Rewrites each ancestor's entry for the directory below it, until one is unchanged. */
async function propagateUp(store: IndexStore, share: string, dirPath: string): Promise<void> {
  let child = dirPath;
  while (child !== "") {
    const slash = child.lastIndexOf("/");
    const parent = slash < 0 ? "" : child.slice(0, slash);
    const name = child.slice(slash + 1);
    const parentMeta = await store.getDir(share, parent);
    if (!parentMeta) return; // the parent is not indexed yet; its own scan will count this
    const meta = await store.getDir(share, child);
    const before = await store.readDir(share, parent);
    const entries = [...before];
    const index = entries.findIndex((e) => e[0] === name);
    const updated: Entry | null = meta ? [name, 1, meta.bytes, meta.mtime, meta.files] : null;
    if (updated && index >= 0) entries[index] = updated;
    else if (updated) entries.push(updated);
    else if (index >= 0) entries.splice(index, 1);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const mtime = latest(entries);
    const sig = entriesSignature(entries, mtime);
    if (sig === parentMeta.sig) return;
    const chunks = chunkEntries(entries);
    store.putDir(
      share,
      parent,
      {
        ...totalsOf(entries),
        mtime,
        chunks: chunks.length,
        count: entries.length,
        sig,
      },
      chunks,
      parentMeta,
      before,
    );
    await store.flush();
    child = parent;
  }
}

/**
 * A directory's mtime in the index is the latest of everything below it ("last changed"): more
 * telling than the directory's own, and it spares one stat per directory on every scan.
 */
function latest(entries: readonly Entry[]): number {
  let mtime = 0;
  for (const entry of entries) if (entry[3] > mtime) mtime = entry[3];
  return mtime;
}
