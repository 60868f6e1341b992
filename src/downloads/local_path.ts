/**
 * Where a download is saved: `<download dir>/<peer name>/<path at the peer>`. Remote names are
 * untrusted: anything that could leave the download dir, or that this platform cannot store, is
 * refused before a byte is written.
 */
import { hdpError, parsePath } from "../wire/mod.ts";

// Characters and names Windows reserves; refused there (a Linux name like "What?.mp3" is fine).
const WINDOWS_RESERVED_CHARS = /[<>:"|?*]/;
const WINDOWS_RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * The segments of the local path, relative to the download dir, for `remotePath` of `peerName`.
 * Throws `BAD_REQUEST` for `..`, absolute paths, control characters, and names the platform
 * reserves.
 */
export function localSegments(
  peerName: string,
  remotePath: string,
  os: typeof Deno.build.os = Deno.build.os,
): string[] {
  const segments = [peerName, ...parsePath(remotePath)];
  if (segments.length < 2) {
    throw hdpError(
      "BAD_REQUEST",
      "Cannot download the root of a peer: name a share or a path in it",
    );
  }
  for (const segment of segments) checkLocalName(segment, remotePath, os);
  return segments;
}

/** Refuses a name this platform cannot store safely. */
export function checkLocalName(
  name: string,
  context: string,
  os: typeof Deno.build.os = Deno.build.os,
): void {
  parsePath(name); // one segment: no `..`, no control characters
  if (os === "windows") {
    if (
      WINDOWS_RESERVED_CHARS.test(name) || WINDOWS_RESERVED_NAMES.test(name) || /[. ]$/.test(name)
    ) {
      throw hdpError(
        "BAD_REQUEST",
        `Cannot save "${context}": "${name}" is a name Windows reserves`,
      );
    }
  }
}

/** The n-th alternative name for a file that exists already: `song.flac` → `song (1).flac`. */
export function suffixedName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

/** The name of the partial file of a download. */
export function partName(name: string): string {
  return `${name}.part`;
}
