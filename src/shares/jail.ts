/**
 * The path jail: the one way from a path relative to a root (a share, the download dir) to a
 * file or folder on disk. It resolves symlinks with realPath and refuses anything that ends up
 * outside the root, because Deno's --allow-read checks path text and lets a symlink inside a
 * share read the whole disk. Serving shares, saving downloads and the download-dir file server
 * all go through it.
 */
import { join } from "node:path";
import { HdpError, hdpError, isInside, joinPath, messageOf, printable } from "../wire/mod.ts";

/** What the jail found. */
export interface Jailed {
  /** The real path on disk (symlinks resolved), inside the root. */
  realPath: string;
  info: Deno.FileInfo;
}

/** What a caller needs at a path: a regular file to read, a directory, or either. */
export type Want = "file" | "dir" | "any";

/** Options of {@link resolveInRoot}. */
export interface ResolveOptions {
  /** What the caller needs. Default: `"any"` (a regular file or a directory). */
  want?: Want;
  /** The root as messages name it. Default: `"the share"`. */
  rootName?: string;
}

/**
 * Resolves validated `segments` (see `parsePath`) inside the real directory `root`.
 * Throws `NOT_FOUND`, `NOT_SHARED` (outside the root, `..` above it, not a regular file, a
 * symlink loop), `BAD_REQUEST` (a directory where a file is wanted) or `FORBIDDEN` (the OS
 * refused), each naming the path as given.
 */
export function resolveInRoot(
  root: string,
  segments: readonly string[],
  options: ResolveOptions = {},
): Jailed {
  const { want = "any", rootName = "the share" } = options;
  const shown = printable(joinPath(segments));
  let realPath: string;
  let info: Deno.FileInfo;
  try {
    // Synchronous on purpose: async file calls cost ~100 µs each here, sync ones a few, and a
    // peer fetching a folder of small files makes thousands of these requests.
    realPath = Deno.realPathSync(join(root, ...segments));
    if (!isInside(root, realPath)) {
      throw hdpError("NOT_SHARED", `Cannot open "${shown}": it leads outside ${rootName}`);
    }
    info = Deno.statSync(realPath);
  } catch (error) {
    throw jailError(error, shown);
  }
  if (want === "file" && !info.isFile) {
    throw hdpError(
      info.isDirectory ? "BAD_REQUEST" : "NOT_SHARED",
      info.isDirectory
        ? `Cannot read "${shown}": it is a directory`
        : `Cannot read "${shown}": not a regular file`,
    );
  }
  if (want === "dir" && !info.isDirectory) {
    throw hdpError("NOT_FOUND", `Cannot list "${shown}": not a directory`);
  }
  if (want === "any" && !info.isFile && !info.isDirectory) {
    throw hdpError("NOT_SHARED", `Cannot open "${shown}": not a regular file or directory`);
  }
  return { realPath, info };
}

/** {@link resolveInRoot} for a share: `want` as there, messages naming the share. */
export function resolveInShare(
  root: string,
  segments: readonly string[],
  want: Want = "any",
): Jailed {
  return resolveInRoot(root, segments, { want });
}

/** Options of {@link ensureDirInside}. */
export interface EnsureDirOptions {
  /**
   * Directories already made and checked, shared by callers (a folder of small files asks for
   * the same parent thousands of times: a hit costs no syscall). Filled as it goes; emptied when
   * it holds over 10,000. Default: none, every level is checked.
   */
  made?: Set<string>;
  /** The root as messages name it. Default: `"the download dir"`. */
  rootName?: string;
}

/** Entries of {@link EnsureDirOptions.made} kept before it is emptied. */
const MAX_MADE = 10_000;

/**
 * Makes the directory `dir` (an absolute path under the real directory `root`) and whatever
 * parents it lacks, one level at a time: a level already there is resolved, and when a symlink
 * there leads out of `root` this throws `FORBIDDEN` before anything is made through it; so does a
 * `dir` outside `root` by its text or with a `..` in it. A level that is not a directory is an `IO` error; other
 * failures (disk full, permissions) are thrown as the OS reported them, for the caller to word.
 */
export function ensureDirInside(root: string, dir: string, options: EnsureDirOptions = {}): void {
  const made = options.made ?? new Set<string>();
  if (made.has(dir)) return;
  const rootName = options.rootName ?? "the download dir";
  const names = dir.slice(root.length).split("/").filter((name) => name !== "");
  if (!isInside(root, dir) || names.some((name) => name === "." || name === "..")) {
    throw hdpError("FORBIDDEN", `Cannot save into "${dir}": it is outside ${rootName}`);
  }
  if (made.size > MAX_MADE) made.clear();
  if (!made.has(root)) {
    Deno.mkdirSync(root, { recursive: true }); // the root is trusted: the user chose it
    made.add(root);
  }
  let level = root;
  for (const name of names) {
    level = join(level, name);
    if (made.has(level)) continue;
    // A level made here is a new real directory inside a checked one: inside, no more to ask.
    if (!makeDir(level)) checkExisting(root, level, rootName);
    made.add(level);
  }
}

/** Makes one directory; false when something is there already (followed by no symlink). */
function makeDir(path: string): boolean {
  try {
    Deno.mkdirSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/** Checks that an existing level is a directory that, symlinks resolved, stays in the root. */
function checkExisting(root: string, level: string, rootName: string): void {
  const real = Deno.realPathSync(level);
  if (!isInside(root, real)) {
    throw hdpError(
      "FORBIDDEN",
      `Cannot save into "${level}": a link there leads out of ${rootName}`,
    );
  }
  if (!Deno.statSync(real).isDirectory) {
    throw hdpError("IO", `Cannot save into "${level}": it is a file, not a folder`);
  }
}

function jailError(error: unknown, shown: string): HdpError {
  if (error instanceof HdpError) return error;
  if (error instanceof Deno.errors.NotFound) {
    return hdpError("NOT_FOUND", `Cannot find "${shown}"`, error);
  }
  if (error instanceof Deno.errors.FilesystemLoop) {
    return hdpError("NOT_SHARED", `Cannot open "${shown}": symlink loop`, error);
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return hdpError("FORBIDDEN", `Cannot open "${shown}": permission denied`, error);
  }
  if (error instanceof Deno.errors.NotADirectory) {
    return hdpError("NOT_FOUND", `Cannot find "${shown}"`, error);
  }
  return hdpError("IO", `Cannot open "${shown}": ${messageOf(error)}`, error);
}
