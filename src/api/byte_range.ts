/**
 * The HTTP `Range` header (RFC 9110 §14), for one range of bytes: parsed before the file's size is
 * known (it decides what to ask the peer first), then resolved against the size. Pure.
 *
 * A header asking for several ranges (`bytes=0-9,20-29`) is ignored and the whole file served
 * (200): RFC 9110 lets a server ignore Range, players never ask for several, and a multipart
 * answer or a made-up single range would be more code for no caller. A malformed header, or one
 * in a unit other than bytes, is ignored too, as RFC 9110 says.
 */

/** One range as the client asked for it, before the file's size is known. */
export type RangeSpec =
  /** `bytes=first-last` (`last` inclusive) or `bytes=first-` (no `last`: to the end). */
  | { kind: "from"; first: number; last?: number }
  /** `bytes=-length`: the last `length` bytes. */
  | { kind: "suffix"; length: number };

/** What to answer for a range of a file of a given size; `end` is one past the last byte. */
export type RangeAnswer =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses a `Range` header. Undefined when there is none or it is to be ignored: malformed, not in
 * bytes, several ranges, or `last` before `first`.
 */
export function parseRange(header: string | null | undefined): RangeSpec | undefined {
  if (header === null || header === undefined) return undefined;
  const equals = header.indexOf("=");
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== "bytes") return undefined;
  // a list may hold empty elements (RFC 9110 §5.6.1): `bytes=0-9,` asks for one range
  const specs = header.slice(equals + 1).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (specs.length !== 1) return undefined;
  const match = specs[0]!.match(SPEC);
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "") return last === "" ? undefined : { kind: "suffix", length: Number(last) };
  const from: RangeSpec = { kind: "from", first: Number(first) };
  if (last === "") return from;
  return Number(last) < from.first ? undefined : { ...from, last: Number(last) };
}

/**
 * Resolves a range against a file of `size` bytes (RFC 9110 §14.1.2): a `last` past the end is
 * clamped; a `first` at or past the end, or a suffix of 0 bytes, is unsatisfiable. An empty file
 * has no byte to send: a suffix of it is the whole (empty) file, any other range unsatisfiable.
 */
export function resolveRange(spec: RangeSpec | undefined, size: number): RangeAnswer {
  if (spec === undefined) return { kind: "whole" };
  if (spec.kind === "suffix") {
    if (spec.length === 0) return { kind: "unsatisfiable" };
    if (size === 0) return { kind: "whole" };
    return { kind: "partial", start: Math.max(0, size - spec.length), end: size };
  }
  if (spec.first >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start: spec.first, end: Math.min(size, (spec.last ?? Infinity) + 1) };
}

/** The `Content-Range` of a partial answer (`bytes 0-99/1000`), or of an unsatisfiable one. */
export function contentRange(
  answer: Exclude<RangeAnswer, { kind: "whole" }>,
  size: number,
): string {
  return answer.kind === "partial"
    ? `bytes ${answer.start}-${answer.end - 1}/${size}`
    : `bytes */${size}`;
}
