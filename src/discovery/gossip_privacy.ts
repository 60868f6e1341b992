/**
 * Whom gossip may tell about whom. Pure. The rule (PROTOCOL.md, "Gossip and privacy"): this node
 * passes on a peer only between two of its own friends, and never one that asked not to be
 * passed on. An announcement carries a peer's address — where it lives, on the internet or the
 * LAN — and whom it knows; a friend introducing friends to each other is what the owner meant by
 * adding both, while telling a peer that only connected (anyone can) would hand the owner's
 * friends to strangers.
 */
import type { Standing } from "../transport/mod.ts";

/** The peer an announcement describes, as the rule needs it. */
export interface GossipSubject {
  /** Its standing with this node's owner. */
  standing: Standing;
  /** It signed its announcement as asking not to be passed on (`--no-gossip-me`). */
  unlisted: boolean;
}

/** Whether this node may tell `listener` (a standing) about `subject`. */
export function mayPassOn(subject: GossipSubject, listener: Standing): boolean {
  return !subject.unlisted && subject.standing === "friend" && listener === "friend";
}
