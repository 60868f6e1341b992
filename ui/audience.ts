/** A share's audience as the Friends screen's select and checkboxes show it; pure functions. */
import type { Audience, PeerInfo } from "../src/api/light.ts";

/** The options of the audience select. */
export type AudienceChoice = "friends" | "everyone" | "peers";

/** The select's options, in order, with their text. */
export const AUDIENCE_CHOICES: readonly { value: AudienceChoice; label: string }[] = [
  { value: "friends", label: "Friends only" },
  { value: "everyone", label: "Everyone connected" },
  { value: "peers", label: "Chosen peers" },
];

/** A peer that may be ticked as one of a share's chosen peers. */
export interface Candidate {
  keyHex: string;
  name: string;
}

/** The select's option for an audience. */
export function choiceOf(audience: Audience): AudienceChoice {
  return typeof audience === "string" ? audience : "peers";
}

/** The keys an audience names (none unless it is chosen peers). */
export function chosenKeys(audience: Audience): string[] {
  return typeof audience === "string" ? [] : audience.peers;
}

/** An audience in a few words: `Friends only`, `Everyone connected`, `2 chosen peers`. */
export function describeAudience(audience: Audience): string {
  if (typeof audience !== "string") {
    const n = audience.peers.length;
    return `${n} chosen ${n === 1 ? "peer" : "peers"}`;
  }
  return audience === "friends" ? "Friends only" : "Everyone connected";
}

/** `keys` with `key` ticked (`on`) or not, in the order they were ticked. */
export function toggleKey(keys: readonly string[], key: string, on: boolean): string[] {
  const rest = keys.filter((k) => k !== key);
  return on ? [...rest, key] : rest;
}

/** Whether two lists hold the same keys, whatever their order. */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((key) => set.has(key));
}

/**
 * The peers to tick from, by name: every peer that is not blocked, and every key already chosen
 * (one the peer table no longer holds shows as the start of its key).
 */
export function candidates(peers: readonly PeerInfo[], chosen: readonly string[]): Candidate[] {
  const listed = peers.filter((peer) =>
    peer.standing !== "blocked" || chosen.includes(peer.keyHex)
  );
  const known = new Set(peers.map((peer) => peer.keyHex));
  const missing = chosen.filter((key) => !known.has(key)).map((keyHex) => ({
    keyHex,
    name: `${keyHex.slice(0, 16)}…`,
  }));
  return [...listed.map(({ keyHex, name }) => ({ keyHex, name })), ...missing]
    .sort((a, b) => a.name.localeCompare(b.name));
}
