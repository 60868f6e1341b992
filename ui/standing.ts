/** Peers' standings for people: their words, the buttons each allows, the waiting requests; pure. */
import type { OwnerStanding, PeerInfo, Standing } from "../src/api/light.ts";

/** A button that changes a peer's standing. */
export interface StandingAction {
  /** The button's text, also the last word of its test id (`befriend-<name>`). */
  label: "Befriend" | "Unfriend" | "Block" | "Unblock";
  /** The standing a click asks for. */
  standing: OwnerStanding;
}

/** The word of each standing on a peer's label. */
export const STANDING_LABELS: Record<Standing, string> = {
  friend: "friend",
  requested: "asks to be a friend",
  known: "known",
  blocked: "blocked",
};

const BEFRIEND: StandingAction = { label: "Befriend", standing: "friend" };
const UNFRIEND: StandingAction = { label: "Unfriend", standing: "known" };
const BLOCK: StandingAction = { label: "Block", standing: "blocked" };
const UNBLOCK: StandingAction = { label: "Unblock", standing: "known" };

const ACTIONS: Record<Standing, readonly StandingAction[]> = {
  friend: [UNFRIEND, BLOCK],
  requested: [BEFRIEND, BLOCK],
  known: [BEFRIEND, BLOCK],
  blocked: [UNBLOCK],
};

/** Friends first, then those who ask, the others, and the blocked last. */
const ORDER: Record<Standing, number> = { friend: 0, requested: 1, known: 2, blocked: 3 };

/** The buttons a peer of this standing gets. */
export function standingActions(standing: Standing): readonly StandingAction[] {
  return ACTIONS[standing];
}

/** The peers waiting for an answer to their friend request, by name. */
export function friendRequests(peers: readonly PeerInfo[]): PeerInfo[] {
  return peers.filter((peer) => peer.standing === "requested").sort(byName);
}

/** Peers by standing ({@link ORDER}), then by name. */
export function byStanding(peers: readonly PeerInfo[]): PeerInfo[] {
  return [...peers].sort((a, b) => ORDER[a.standing] - ORDER[b.standing] || byName(a, b));
}

function byName(a: PeerInfo, b: PeerInfo): number {
  return a.name.localeCompare(b.name);
}
