/**
 * Admission: whether the queue may start another transfer now. Large files count against the
 * limits; small files cost little bandwidth but a round trip each, so they are read in batches,
 * several at once so that the round trips overlap, against limits of their own.
 */
import { SMALL_FILE_BYTES } from "../wire/mod.ts";

/** How a file is fetched, and how a running transfer counts against the limits. */
export type TransferKind =
  /** A file over {@link SMALL_FILE_BYTES}, with `Read`; a listing counts as one too. */
  | "large"
  /** A small file read alone (it grew past the batch limit, or the peer does not batch). */
  | "small"
  /** A batch of small files, with one `ReadMany`. */
  | "batch"
  /** A batch whose bytes are in, its files still being written: it holds no network slot. */
  | "writing";

/** Transfers running, by kind. */
export type KindCounts = Record<TransferKind, number>;

/** The limits of the queue. */
export interface Limits {
  /** Large files fetched at once in all. */
  global: number;
  /** Large files fetched at once from one peer. */
  perPeer: number;
}

/** Small files read alone may run this many times as many as large files. */
export const SMALL_FACTOR = 8;

/** No transfers. */
export function noTransfers(): KindCounts {
  return { large: 0, small: 0, batch: 0, writing: 0 };
}

/** How a file of `size` bytes is fetched; `alone` when it must not go in a batch. */
export function kindOf(size: number, alone: boolean): "large" | "small" | "batch" {
  if (size > SMALL_FILE_BYTES) return "large";
  return alone ? "small" : "batch";
}

/** Whether a transfer of `kind` may start, given what runs in all and for its peer. */
export function hasRoom(
  kind: "large" | "small" | "batch",
  running: { all: KindCounts; peer: KindCounts },
  limits: Limits,
): boolean {
  const { all, peer } = running;
  switch (kind) {
    case "large":
      return all.large < limits.global && peer.large < limits.perPeer;
    case "small":
      return all.small < limits.global * SMALL_FACTOR && peer.small < limits.perPeer * SMALL_FACTOR;
    case "batch":
      // batches count double: half as many may run, at least one
      return all.batch < Math.max(1, limits.global / 2) &&
        peer.batch < Math.max(1, limits.perPeer / 2);
  }
}

/** Whether a listing of a folder at this peer may start (it counts as a large file). */
export function mayList(peer: KindCounts, limits: Limits): boolean {
  return peer.large < limits.perPeer;
}
