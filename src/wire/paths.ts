/**
 * Paths as they travel between peers: `share/dir/file`, `/`-separated, relative, no `.` or `..`.
 * One parser for everything that takes a path from outside (peers, API, CLI), so the rules live in
 * one place. It checks text only; src/shares/jail.ts checks the disk.
 */
import { hdpError } from "./errors.ts";

/** The longest path accepted, in UTF-8 bytes (Deno KV keys hold at most 2 KiB). */
export const MAX_PATH_BYTES = 1024;
/** The platform's path separator, without node:path (this module is also bundled for the UI). */
const SEP = globalThis.Deno?.build.os === "windows" ? "\\" : "/";
/** The longest single name accepted, in UTF-8 bytes (most file systems stop at 255). */
export const MAX_NAME_BYTES = 255;

// C0 and C1 control characters, DEL, and `\` (a separator on Windows; never part of a name here)
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Splits a peer-relative path into validated segments. `""` and `"/"` are the root (no segments).
 * Refuses with `BAD_REQUEST`: absolute paths, `.` and `..`, empty segments, control characters and
 * NUL, backslashes, over-long names and paths.
 */
export function parsePath(path: unknown): string[] {
  if (typeof path !== "string") throw hdpError("BAD_REQUEST", "Path must be text");
  if (path === "" || path === "/") return [];
  if (utf8Length(path, MAX_PATH_BYTES) > MAX_PATH_BYTES) {
    throw hdpError("BAD_REQUEST", `Path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  if (path.startsWith("/") || /^[a-zA-Z]:/.test(path)) {
    throw hdpError("BAD_REQUEST", `Path "${printable(path)}" must be relative`);
  }
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const segments = trimmed.split("/");
  for (const segment of segments) checkName(segment, path);
  return segments;
}

/** Checks one file name as received from outside; throws `BAD_REQUEST` when it is unsafe. */
export function checkName(name: string, context: string = name): void {
  if (name === "") throw hdpError("BAD_REQUEST", `Path "${printable(context)}" has an empty name`);
  if (name === "." || name === "..") {
    throw hdpError("BAD_REQUEST", `Path "${printable(context)}" may not contain "${name}"`);
  }
  if (FORBIDDEN.test(name)) {
    throw hdpError(
      "BAD_REQUEST",
      `Path "${printable(context)}" contains a control character or "\\"`,
    );
  }
  if (utf8Length(name, MAX_NAME_BYTES) > MAX_NAME_BYTES) {
    throw hdpError(
      "BAD_REQUEST",
      `A name in "${printable(context)}" is longer than ${MAX_NAME_BYTES} bytes`,
    );
  }
}

/**
 * The length of `text` in UTF-8 bytes, counted only when it could be over `limit` (a UTF-16 unit
 * is at most 3 bytes): thousands of paths a second are checked, and encoding each costs more.
 */
export function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length * 3;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4; // a surrogate pair: one code point of 4 bytes
        i++;
      } else bytes += 3; // a lone surrogate is encoded as U+FFFD
    } else bytes += 3;
  }
  return bytes;
}

/** Joins segments into a wire path. */
export function joinPath(segments: readonly string[]): string {
  return segments.join("/");
}

/** A path made safe to print in a message: control characters shown as escapes, cut at 200. */
export function printable(text: string): string {
  const shown = text.replace(
    CONTROL,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}

/** Tells whether `real` is `root` or below it; both must be real (resolved) paths. */
export function isInside(root: string, real: string): boolean {
  if (real === root) return true;
  const prefix = root.endsWith(SEP) ? root : root + SEP;
  return real.startsWith(prefix);
}
