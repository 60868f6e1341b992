/**
 * The path jail: the one way from a share-relative path to a file on disk. It resolves symlinks
 * with realPath and refuses anything that ends up outside the share, because Deno's --allow-read
 * checks path text and lets a symlink inside a share read the whole disk.
 */
import { join } from "node:path";
import { HdpError, hdpError, messageOf } from "../wire/errors.ts";
import { isInside, joinPath, printable } from "../wire/paths.ts";

/** What the jail found. */
export interface Jailed {
  /** The real path on disk (symlinks resolved), inside the share. */
  realPath: string;
  info: Deno.FileInfo;
}

/**
 * Resolves validated `segments` (see `parsePath`) inside the share whose real root is `root`.
 * `want` is what the caller needs: a regular file to read, a directory, or either.
 * Throws `NOT_FOUND`, `NOT_SHARED` (outside the share, not a regular file, a symlink loop) or
 * `FORBIDDEN` (the OS refused), each naming the path as the peer sent it.
 */
export function resolveInShare(
  root: string,
  segments: readonly string[],
  want: "file" | "dir" | "any" = "any",
): Jailed {
  const shown = printable(joinPath(segments));
  let realPath: string;
  let info: Deno.FileInfo;
  try {
    // Synchronous on purpose: async file calls cost ~100 µs each here, sync ones a few, and a
    // peer fetching a folder of small files makes thousands of these requests.
    realPath = Deno.realPathSync(join(root, ...segments));
    if (!isInside(root, realPath)) {
      throw hdpError("NOT_SHARED", `Cannot open "${shown}": it leads outside the share`);
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
