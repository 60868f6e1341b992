/**
 * A peer's standing with this node's owner, and who may connect at all. Pure: the peer table keeps
 * the standing in each record, the share audiences and the gossip rules read it.
 */

/**
 * - `friend`: the owner added it (pasted its announce address) or accepted it.
 * - `known`: heard of by gossip or mDNS, or it dialled in by itself.
 * - `requested`: it dialled in with this node's announce address and asks to be a friend.
 * - `blocked`: the owner blocked it: refused, never dialled, never passed on.
 */
export type Standing = "friend" | "known" | "requested" | "blocked";

/** Every standing, in the order the UI lists them. */
export const STANDINGS: readonly Standing[] = ["friend", "requested", "known", "blocked"];

/** Who may connect at all (`start --accept`). */
export type AcceptPolicy = "friends" | "known" | "everyone";

/** Every accept policy. */
export const ACCEPT_POLICIES: readonly AcceptPolicy[] = ["friends", "known", "everyone"];

/** The default: anyone may connect, and sees only what its standing allows. */
export const DEFAULT_ACCEPT: AcceptPolicy = "everyone";

/**
 * How many friend requests wait for an answer at once: a stranger's keys cost nothing, so past
 * this the oldest request lapses (its peer stays known, and may ask again).
 */
export const MAX_REQUESTS = 64;

/**
 * Whether an inbound connection is kept. `standing` undefined: a key this node has no record of
 * (a stranger). Blocked peers are refused whatever the policy.
 */
export function mayConnect(standing: Standing | undefined, accept: AcceptPolicy): boolean {
  if (standing === "blocked") return false;
  if (accept === "everyone") return true;
  if (accept === "known") return standing !== undefined;
  return standing === "friend";
}

/**
 * The standing a friend request leaves: a known peer becomes `requested`, unless the owner already
 * declined it; friends, blocked peers and pending requests stay as they are.
 */
export function afterRequest(standing: Standing, declined: boolean): Standing {
  return standing === "known" && !declined ? "requested" : standing;
}

/** Parses a standing the owner sets (CLI, API); undefined for anything else. */
export function parseStanding(value: unknown): Standing | undefined {
  return STANDINGS.includes(value as Standing) ? value as Standing : undefined;
}
