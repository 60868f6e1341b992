/** NAT types as far as hole punching cares. */

/** How a node's NAT maps its UDP port, as learned by STUN. */
export const NAT_TYPES = ["unknown", "none", "easy", "hard"] as const;

/**
 * `none`: the node has a public address. `easy`: endpoint-independent mapping (cone, port-restricted).
 * `hard`: symmetric, a new public port per destination. `unknown`: not (yet) learned.
 */
export type NatType = typeof NAT_TYPES[number];

/** Tells whether a value names a NAT type. */
export function isNatType(value: unknown): value is NatType {
  return typeof value === "string" && (NAT_TYPES as readonly string[]).includes(value);
}
