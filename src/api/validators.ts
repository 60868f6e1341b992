/**
 * Validators of a peer's file (RFC 9110 §8.8, §13): its `ETag` and `Last-Modified`, from the size
 * and modification time the peer answers a Read with, and the conditions built on them. Pure.
 */

/** What identifies one version of a file: the fields of a Read's header. */
export interface FileVersion {
  size: number;
  /** Modification time, ms since the epoch; 0 when unknown. */
  mtime: number;
}

/**
 * The strong entity tag of a version, `"<size>-<mtime>"`: a rewrite keeps the size seldom and the
 * millisecond mtime almost never, as nginx's tags assume.
 */
export function entityTag(version: FileVersion): string {
  return `"${version.size}-${version.mtime}"`;
}

/** The `Last-Modified` date of a version; undefined when the peer does not know its mtime. */
export function lastModified(version: FileVersion): string | undefined {
  return version.mtime > 0 ? new Date(version.mtime).toUTCString() : undefined;
}

/**
 * Whether `If-None-Match` matches the version (weak comparison, RFC 9110 §13.1.2): then the
 * client's copy is current and the answer is 304. False without the header.
 */
export function noneMatchHits(header: string | null, version: FileVersion): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const ours = entityTag(version);
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === ours);
}

/**
 * Whether the Range of a request still applies under its `If-Range` (RFC 9110 §13.1.5): the
 * header names this very version, by strong entity tag or by its exact date. True without one.
 */
export function rangeStillValid(header: string | null, version: FileVersion): boolean {
  if (header === null) return true;
  const given = header.trim();
  if (given.startsWith('"') || given.startsWith("W/")) return given === entityTag(version);
  const date = lastModified(version);
  return date !== undefined && Date.parse(given) === Date.parse(date);
}
