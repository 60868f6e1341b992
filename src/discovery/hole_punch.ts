/**
 * The punch decision: how to reach a peer given both NAT types. Pure, so the whole matrix is
 * tested without sockets; {@link ./dial_announced.ts} carries the plan out.
 */
import type { NatType } from "./nat_type.ts";

/**
 * How to reach a peer: `direct` (dial as usual; an easy NAT opens when both sides dial at once,
 * which gossip arranges), `spray` (we are behind a hard NAT, they an easy one: open many ports
 * towards them, see birthday.ts), `probe` (the reverse: dial many ports of theirs), or
 * `needs-relay` (both hard: no packet ever finds the other's mapping).
 */
export type PunchPlan = "direct" | "spray" | "probe" | "needs-relay";

/** Why a `needs-relay` peer cannot be reached (what `connect` answers, and the NAT lab expects). */
export const NEEDS_RELAY =
  "Needs relay: both this node and the peer are behind symmetric (hard) NATs";

/** Decides how this node (behind `mine`) reaches a peer behind `theirs`. */
export function punchPlan(mine: NatType, theirs: NatType): PunchPlan {
  if (mine === "hard" && theirs === "hard") return "needs-relay";
  if (mine === "hard" && theirs === "easy") return "spray";
  if (mine === "easy" && theirs === "hard") return "probe";
  return "direct";
}
