/**
 * The failure policy of the download queue: what a coded error means for the file, batch or
 * listing it ended. One table, so that a code means the same wherever it turns up.
 */
import type { ErrorCode } from "../wire/mod.ts";

/** What the queue does after an error. */
export type FailureAction =
  /** The peer is away, or busy: try again once it is back or has room (nothing is lost). */
  | "again"
  /** This node cannot save (disk full, permissions): pause the item until a person acts. */
  | "pause"
  /** Read the file by itself: it outgrew a batch, or the peer does not (properly) batch. */
  | "alone"
  /** Try again after a while ({@link retryDelay}): the peer may not have caught up yet. */
  | "later"
  /** It fails for good (the file is gone, its name is refused…); the rest of the item goes on. */
  | "fail";

/** What ended: a listing of a folder, a file read alone, a file of a batch, or a whole batch. */
export type FailedWork = "listing" | "file" | "batch-file" | "batch";

/**
 * A file or folder the peer says it does not have may be new: its index takes a moment to see it
 * (a watcher's quiet time of up to 2 s, a scan of a new folder). It is asked for again after each
 * of these delays before it fails for good: 12 s in all.
 */
export const NOT_FOUND_RETRY_MS: readonly number[] = [1000, 3000, 8000];

const TRANSIENT: ReadonlySet<ErrorCode> = new Set(["UNAVAILABLE", "TIMEOUT", "BUSY"]);
const LOCAL: ReadonlySet<ErrorCode> = new Set(["IO", "FORBIDDEN"]);

/** What to do after `code` ended `work`, which failed `tries` times before (with "later"). */
export function failureAction(code: ErrorCode, work: FailedWork, tries = 0): FailureAction {
  if (TRANSIENT.has(code)) return "again";
  if (code === "NOT_FOUND" && work !== "batch" && tries < NOT_FOUND_RETRY_MS.length) return "later";
  if (LOCAL.has(code) && work !== "listing") return "pause";
  if (work === "batch-file" && code === "TOO_LARGE") return "alone";
  if (work === "batch" && (code === "UNSUPPORTED" || code === "PROTOCOL")) return "alone";
  return "fail";
}

/** How long to wait before the next try of work put off after `tries` earlier tries. */
export function retryDelay(tries: number): number {
  return NOT_FOUND_RETRY_MS[Math.min(tries, NOT_FOUND_RETRY_MS.length - 1)]!;
}
