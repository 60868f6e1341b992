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
  /** It fails for good (the file is gone, its name is refused…); the rest of the item goes on. */
  | "fail";

/** What ended: a listing of a folder, a file read alone, a file of a batch, or a whole batch. */
export type FailedWork = "listing" | "file" | "batch-file" | "batch";

const TRANSIENT: ReadonlySet<ErrorCode> = new Set(["UNAVAILABLE", "TIMEOUT", "BUSY"]);
const LOCAL: ReadonlySet<ErrorCode> = new Set(["IO", "FORBIDDEN"]);

/** What to do after `code` ended `work`. */
export function failureAction(code: ErrorCode, work: FailedWork): FailureAction {
  if (TRANSIENT.has(code)) return "again";
  if (LOCAL.has(code) && work !== "listing") return "pause";
  if (work === "batch-file" && code === "TOO_LARGE") return "alone";
  if (work === "batch" && (code === "UNSUPPORTED" || code === "PROTOCOL")) return "alone";
  return "fail";
}
