/**
 * `.part` files that no download owns any more (its wishlist entry was lost with `state.kv`, or a
 * file arrived after its download was cancelled): found at start by a bounded walk of the download
 * dir, in the background. A part under an unfinished download is kept; one under a download the
 * state journal brought back is adopted (its version is unknown, so it starts over); any other is
 * logged and moved into `<download dir>/.orphaned/`, keeping its place in the tree. Moved rather
 * than deleted: a finished download of a remote file that is itself named `x.part` looks just the
 * same, and a move can be undone. Nothing but regular files named `*.part` is ever touched.
 */
import { dirname, join } from "node:path";
import { logger } from "../log.ts";
import { ensureDirInside } from "../shares/mod.ts";
import { messageOf } from "../wire/mod.ts";
import { partName, suffixedName } from "./local_path.ts";
import type { DownloadState } from "./types.ts";

const log = logger("downloads");

/** Where orphaned parts go, in the download dir. */
export const ORPHANED_DIR = ".orphaned";

/** Directories the walk reads at most. */
export const SWEEP_MAX_DIRS = 10_000;

/** Orphaned parts logged one by one; the rest are counted. */
const LOGGED_ONE_BY_ONE = 100;

/** What the sweep needs to know of a download. */
export interface PartOwner {
  id: string;
  /** Where it is saved, relative to the download dir. */
  localPath: string;
  state: DownloadState;
}

/** What becomes of a part. */
export type PartFate = "kept" | "adopted" | "orphaned";

/**
 * The fate of the part at `rel` (relative to the download dir, `/`-separated): kept when an
 * unfinished download saves there (its folder, its file or a numbered twin of it: `a (1).mp3`),
 * adopted when that download came back from the journal, orphaned otherwise.
 */
export function partFate(
  rel: string,
  owners: readonly PartOwner[],
  restoredIds: ReadonlySet<string>,
): PartFate {
  const target = rel.slice(0, -partName("").length);
  const owner = owners.find((o) => o.state !== "done" && owns(o.localPath, target));
  if (!owner) return "orphaned";
  return restoredIds.has(owner.id) ? "adopted" : "kept";
}

function owns(localPath: string, target: string): boolean {
  if (target === localPath || target.startsWith(`${localPath}/`)) return true;
  // a file saved under a numbered name because another file was in the way
  const slash = localPath.lastIndexOf("/");
  if (target.slice(0, slash + 1) !== localPath.slice(0, slash + 1)) return false;
  const match = /^.* \((\d+)\)(\.[^.]*)?$/.exec(target.slice(slash + 1));
  return match !== null && suffixedName(localPath.slice(slash + 1), Number(match[1])) ===
      target.slice(slash + 1);
}

/** Options of {@link sweepOrphanParts}. */
export interface SweepOptions {
  /** The downloads as they are now (asked again for each part found). */
  owners: () => readonly PartOwner[];
  /** Downloads the state journal brought back at this start. */
  restoredIds?: ReadonlySet<string>;
  /** Parts written since (ms since the epoch: this node's start) belong to this run: kept. */
  startedAt: number;
  /** Directories read at most. Default {@link SWEEP_MAX_DIRS}. */
  maxDirs?: number;
  signal?: AbortSignal;
}

/** What a sweep found and did. */
export interface SweepReport {
  kept: number;
  adopted: number;
  /** Parts moved into `.orphaned/`, relative to the download dir. */
  orphaned: string[];
  orphanedBytes: number;
  /** True when the walk stopped at `maxDirs` with directories left unread. */
  cut: boolean;
}

/** Walks the download dir for `.part` files and deals with each (see the file's doc). */
export async function sweepOrphanParts(
  downloadDir: string,
  options: SweepOptions,
): Promise<SweepReport> {
  const report: SweepReport = { kept: 0, adopted: 0, orphaned: [], orphanedBytes: 0, cut: false };
  const restoredIds = options.restoredIds ?? new Set<string>();
  const made = new Set<string>();
  const { parts, cut } = await findParts(downloadDir, options);
  report.cut = cut;
  for (const { rel, info } of parts) {
    if (options.signal?.aborted) break;
    if ((info.mtime?.getTime() ?? 0) >= options.startedAt) { // being written by this run
      report.kept++;
      continue;
    }
    const fate = partFate(rel, options.owners(), restoredIds);
    if (fate !== "orphaned") {
      report[fate]++;
      continue;
    }
    try {
      const to = await moveOrphan(downloadDir, rel, made);
      report.orphaned.push(rel);
      report.orphanedBytes += info.size;
      if (report.orphaned.length <= LOGGED_ONE_BY_ONE) {
        log.info("moved a .part file no download owns", { file: rel, to, bytes: info.size });
      }
    } catch (error) {
      log.warn("cannot move a .part file no download owns", {
        file: rel,
        reason: messageOf(error),
      });
    }
  }
  tell(report, downloadDir, options.maxDirs ?? SWEEP_MAX_DIRS);
  return report;
}

/** Every regular `*.part` file under `root`, breadth first, at most `maxDirs` directories read. */
async function findParts(
  root: string,
  options: SweepOptions,
): Promise<{ parts: { rel: string; info: Deno.FileInfo }[]; cut: boolean }> {
  const parts: { rel: string; info: Deno.FileInfo }[] = [];
  const dirs = [""];
  let read = 0;
  while (dirs.length > 0 && read < (options.maxDirs ?? SWEEP_MAX_DIRS)) {
    if (options.signal?.aborted) break;
    const dir = dirs.shift()!;
    read++;
    try {
      for await (const entry of Deno.readDir(join(root, ...split(dir)))) {
        const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
        if (entry.isSymlink) continue; // never followed, never moved
        if (entry.isDirectory && rel !== ORPHANED_DIR) dirs.push(rel);
        if (!entry.isFile || !entry.name.endsWith(partName(""))) continue;
        const info = await Deno.lstat(join(root, ...split(rel))).catch(() => undefined);
        if (info?.isFile) parts.push({ rel, info });
      }
    } catch (error) {
      log.debug("cannot read a folder of the download dir", { dir, reason: messageOf(error) });
    }
  }
  return { parts, cut: dirs.length > 0 };
}

/** Moves `rel` to the same place under `.orphaned/` (a numbered name when one is there). */
async function moveOrphan(root: string, rel: string, made: Set<string>): Promise<string> {
  const wanted = join(root, ORPHANED_DIR, ...split(rel));
  ensureDirInside(root, dirname(wanted), { made }); // no link in the way leads out
  let to = wanted;
  for (let n = 1; await exists(to); n++) {
    to = join(dirname(wanted), suffixedName(wanted.slice(dirname(wanted).length + 1), n));
  }
  await Deno.rename(join(root, ...split(rel)), to);
  return to.slice(root.length + 1);
}

function tell(report: SweepReport, downloadDir: string, maxDirs: number): void {
  const { kept, adopted, orphaned, orphanedBytes, cut } = report;
  if (cut) {
    log.info("stopped looking for orphaned .part files", { downloadDir, folders: maxDirs });
  }
  if (adopted > 0) {
    log.info("kept .part files of restored downloads; they start over (their version is unknown)", {
      parts: adopted,
    });
  }
  if (orphaned.length > 0) {
    log.warn(`moved .part files no download owns into ${ORPHANED_DIR}/`, {
      downloadDir,
      parts: orphaned.length,
      bytes: orphanedBytes,
      kept,
    });
  }
}

function split(rel: string): string[] {
  return rel === "" ? [] : rel.split("/");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
