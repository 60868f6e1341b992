/**
 * Where a downloaded file is saved: its parent made through the jail (it stays in the download
 * dir), its name chosen once (a numbered one when another file is in the way). An existing
 * complete file is never overwritten.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensureDirInside } from "../shares/mod.ts";
import { HdpError, hdpError } from "../wire/mod.ts";
import { suffixedName } from "./local_path.ts";
import { diskError } from "./whole_file.ts";
import type { FileRecord } from "./wishlist.ts";

/**
 * Where `file` is saved: its parent made (and checked to stay in the download dir), its name
 * chosen once (a numbered one when another file is in the way) and kept in `file.localRel`.
 * Null when this very file is there already.
 */
export function place(
  file: FileRecord,
  segments: string[],
  downloadDir: string,
  madeDirs: Set<string>,
): string | null {
  const decided = file.localRel ?? segments.join("/");
  const target = join(downloadDir, ...decided.split("/"));
  ensureParent(downloadDir, target, madeDirs);
  if (file.localRel === undefined) {
    const chosen = chooseName(target, file);
    if (chosen === null) return null;
    file.localRel = [...decided.split("/").slice(0, -1), chosen].join("/");
  }
  return join(downloadDir, ...file.localRel.split("/"));
}

/**
 * The name to save under: the wanted one if free; null when a file with the same size and mtime
 * is there already; otherwise the first free `name (n).ext`.
 */
function chooseName(target: string, file: FileRecord): string | null {
  const dir = dirname(target);
  const base = target.slice(dir.length + 1);
  for (let n = 0; n < 1000; n++) {
    const name = n === 0 ? base : suffixedName(base, n);
    // existsSync answers "nothing there" (the common case) without an exception: 4× faster
    const existing = existsSync(join(dir, name)) ? statOrNullSync(join(dir, name)) : null;
    if (!existing) return name;
    if (
      existing.isFile && existing.size === file.size && existing.mtime?.getTime() === file.mtime
    ) {
      return null; // this very file is there already
    }
  }
  throw hdpError("CONFLICT", `Cannot find a free name for "${base}"`);
}

/** Creates the parent directories through the jail, which keeps them in the download dir. */
function ensureParent(downloadDir: string, target: string, made: Set<string>): void {
  const parent = dirname(target);
  if (made.has(parent)) return; // the common case: a folder of small files, one parent
  try {
    ensureDirInside(downloadDir, parent, { made });
  } catch (error) {
    if (error instanceof HdpError) throw error;
    throw diskError(error, parent);
  }
}

/** One stat, synchronously: the common case (nothing there) is a single fast syscall. */
function statOrNullSync(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw diskError(error, path);
  }
}
