/** What a listing or search returns: shared by the index, the wire protocol, the API and the UI. */

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
