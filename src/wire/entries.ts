/** What a listing or search returns: shared by the index, the wire protocol, the API and the UI. */
import type { FileKind } from "./media_type.ts";

/** One file or directory of a peer, as `Ls` answers it. */
export interface LsEntry {
  /** The full path from the peer's root, starting with the share's name: `Music/Album/01.flac`. */
  name: string;
  /** Bytes; for a directory, everything below it. */
  size: number;
  isDir: boolean;
  /** Modification time, ms since the epoch. */
  mtime: number;
}

/** Files and bytes below a directory, or found by a search. */
export interface Totals {
  files: number;
  bytes: number;
}

/** Entries per listing page when the query does not say. */
export const DEFAULT_LS_LIMIT = 500;
/** The largest listing page a query may ask for. */
export const MAX_LS_LIMIT = 5000;

/** A listing or search query: what `Ls` asks, the API's `ls` takes and the index answers. */
export interface LsQuery {
  /** A peer path: "" for the list of shares, `share/dir` below. */
  path: string;
  /** Everything below `path` rather than one level. Default false. */
  recursive?: boolean;
  /** Words that must all occur in an entry's path (case-insensitive); implies recursive. */
  searchTerm?: string;
  /** With `searchTerm`: only files of these kinds (see search_filter.ts). */
  kinds?: FileKind[];
  /** With `searchTerm`: only files of at least / at most this many bytes. */
  minSize?: number;
  maxSize?: number;
  /** Where the previous page ended. */
  cursor?: string;
  /** Entries per page, 1 to {@link MAX_LS_LIMIT}; default {@link DEFAULT_LS_LIMIT}. */
  limit?: number;
}

/** One page of a listing's answer, as the index gives it, `Ls` carries it and the API shows it. */
export interface LsPage {
  entries: LsEntry[];
  /** Present when more entries follow: pass it back as `cursor`. */
  cursor?: string;
  /** True while a scan of a share involved is still running: results may be incomplete. */
  partial: boolean;
  /** Files and bytes of the listed directory, or of all search hits (on a search's last page). */
  totals?: Totals;
}
