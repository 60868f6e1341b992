/**
 * The decisions the peers make, pure: which of two connections to one peer to keep, what a lost
 * connection says about the peer, and how long to wait before dialling again.
 */
import type { PeerRecord } from "./peer_store.ts";
import type { Standing } from "./standing.ts";
import { CLOSE, type PeerConnection } from "./quic.ts";

/**
 * Whether to keep `a` (the current connection) over `b` (a new one) to the same peer: of two
 * dialed by different sides, the one dialed by the smaller key, so both sides close the same one.
 */
export function keepFirst(
  a: Pick<PeerConnection, "direction" | "peerKeyHex" | "path">,
  b: Pick<PeerConnection, "direction" | "peerKeyHex" | "path">,
  ownKeyHex: string,
): boolean {
  // A relayed connection is a stopgap: a direct one replaces it, and another relayed one does not
  // (each side picks its own; circuits need no agreement, see RelayedConnection).
  const relayedA = a.path?.via === "relayed";
  const relayedB = b.path?.via === "relayed";
  if (relayedA || relayedB) return !relayedA || relayedB;
  const dialer = (c: Pick<PeerConnection, "direction" | "peerKeyHex">) =>
    c.direction === "outbound" ? ownKeyHex : c.peerKeyHex;
  // Two dials from one side: the dialer gave up on the older one (it restarted, or lost it):
  // keep the newer, or a restarted peer would be refused until the stale one times out.
  if (dialer(a) === dialer(b)) return false;
  return dialer(a) < dialer(b);
}

/** How {@link backoffDelay} grows. */
export interface Backoff {
  /** The first delay, doubled on each attempt. */
  baseMs: number;
  /** The longest delay. */
  maxMs: number;
  /** Randomness in [0, 1) for ±50% jitter; without it, no jitter. */
  random?: () => number;
}

/** The delay before retrying after the n-th failed attempt (0-based): doubling, capped, jittered. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return backoff.random ? Math.round(delay * (0.5 + backoff.random())) : delay;
}

/** The close code a connection reports when it ended without a close frame (`closed` rejected). */
export const NO_CLOSE_FRAME = -1;

/**
 * Why a connection ended, in words for the peer's `problem`. A stateless reset means the peer's
 * endpoint no longer knows the connection: it restarted, or it shut down and its close frame was
 * lost (a peer busy receiving drops it with the rest of an overflowing buffer).
 */
export function lostReason(code: number, reason: string): string {
  if (code === CLOSE.SHUTDOWN) return "the peer shut down";
  if (code === CLOSE.CROWDED) return "the peer has too many peers it does not know";
  if (code === CLOSE.REFUSED) return "the peer does not accept connections from this node";
  if (code === NO_CLOSE_FRAME && /reset by peer/i.test(reason)) {
    return "the peer restarted or shut down";
  }
  return reason || `closed (${code})`;
}

/** The longest wait (before jitter, so 4–12 s) to redial a peer we have downloads waiting for. */
export const WANTED_MAX_BACKOFF_MS = 8000;

/** Redials brought forward are spread over this long, so that a hundred peers do not dial at once. */
export const REDIAL_SPREAD_MS = 2000;

/** A peer tried this recently is not tried again early: news comes often, a dial costs 10 s. */
export const REDIAL_MIN_GAP_MS = 5000;

/**
 * The delay before redialling a peer after the n-th failed attempt: {@link backoffDelay}, with the
 * cap lowered to {@link WANTED_MAX_BACKOFF_MS} for a peer we have downloads waiting for, so that
 * they resume soon after an outage.
 */
export function redialDelay(attempt: number, backoff: Backoff & { wanted: boolean }): number {
  const maxMs = backoff.wanted ? Math.min(backoff.maxMs, WANTED_MAX_BACKOFF_MS) : backoff.maxMs;
  return backoffDelay(attempt, { ...backoff, maxMs });
}

/** A redial waiting for its timer. */
export interface PendingRedial {
  /** When it is due, ms since the epoch. */
  retryAt: number;
  /** When the peer was last dialled, ms since the epoch. */
  triedAt: number;
}

/**
 * The new delay of a pending redial when news says the network may be back (another peer
 * connected, a local address changed): within {@link REDIAL_SPREAD_MS}, unless it is due sooner
 * anyway or the peer was tried less than `minGapMs` ago (default {@link REDIAL_MIN_GAP_MS}).
 * `undefined`: leave it as it is.
 */
export function broughtForward(
  pending: PendingRedial,
  now: number,
  options: { random: () => number; minGapMs?: number },
): number | undefined {
  if (now - pending.triedAt < (options.minGapMs ?? REDIAL_MIN_GAP_MS)) return undefined;
  const delay = Math.round(options.random() * REDIAL_SPREAD_MS);
  return now + delay < pending.retryAt ? delay : undefined;
}

/** Whether the n-th failed dial in a row (1-based) is logged: the first, then every tenth. */
export function logsFailure(failures: number): boolean {
  return failures === 1 || failures % 10 === 0;
}

/**
 * Peers that only connected to us (or were heard of and never reached), and that this node's owner
 * never used, cost nothing to make: at most this many are remembered, the oldest forgotten first.
 */
export const MAX_UNPROVEN = 256;

/** How long an unproven peer that went away stays listed before it is forgotten. */
export const FORGET_AFTER_MS = 10 * 60_000;

/**
 * Whether a peer is worth remembering across restarts and redialling: one the owner added (or
 * used: browsed, read, downloaded from), one downloads wait for, or one heard of by gossip or mDNS
 * that was reached once. A key that only ever connected to us is not: keys cost nothing, and
 * redialling every one would let a stranger make the node dial forever.
 */
export function isProven(record: PeerRecord, wanted: boolean): boolean {
  if (standingOf(record) === "blocked") return false;
  if (isTrusted(record) || wanted) return true;
  return record.source !== "inbound" && record.lastSeen > 0;
}

/**
 * Whether a peer's record is kept (saved, never forgotten for room): a proven one, and one whose
 * standing the owner has to see (a friend request, a block) even though it is not redialled.
 */
export function isKept(record: PeerRecord, wanted: boolean): boolean {
  const standing = standingOf(record);
  return isProven(record, wanted) || standing === "requested" || standing === "blocked";
}

/** Whether this node's owner added the peer (an announce address), befriended it or used it. */
export function isTrusted(record: PeerRecord): boolean {
  const standing = standingOf(record);
  if (standing === "blocked") return false;
  return standing === "friend" || record.useful === true;
}

/** A record's standing: as set, else `friend` for a peer added by hand and `known` for others. */
export function standingOf(record: PeerRecord): Standing {
  return record.standing ?? (record.source === "manual" ? "friend" : "known");
}

/**
 * Which unproven peers to forget so that at most `max` remain: those away first, then the
 * connected ones, each oldest first (by when their status last changed).
 */
export function forgetFirst<T extends { connected: boolean; since: number }>(
  unproven: T[],
  max: number,
): T[] {
  if (unproven.length <= max) return [];
  const order = [...unproven].sort((a, b) =>
    Number(a.connected) - Number(b.connected) || a.since - b.since
  );
  return order.slice(0, unproven.length - max);
}

/**
 * Whether a failed direct dial is worth trying through a relay: the peer could not be reached
 * (`UNAVAILABLE`, `TIMEOUT`), not one that answered and refused (`FORBIDDEN`, `UNAUTHORIZED`…).
 */
export function triesRelay(error: { code: string }): boolean {
  return error.code === "UNAVAILABLE" || error.code === "TIMEOUT";
}

/** How long a relayed peer waits before its next try of a direct path: 30 s, doubling to 5 min. */
export function directRetryDelay(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, { baseMs: 30_000, maxMs: 300_000, random });
}
