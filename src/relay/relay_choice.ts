/**
 * Which connected peers to ask for a circuit, best first. Pure: the caller gives the connections.
 * A peer reached at a public address (`direct`) or at a port its router opened (`mapped`) is most
 * likely reachable by the target as well; one on the LAN next; one that dialled us (`inbound`,
 * reachability unknown) then; one behind a NAT we punched through last. A relayed peer cannot
 * relay (circuits are not nested), nor can the target relay to itself.
 */
import type { PathVia } from "../transport/mod.ts";

const PREFERENCE: Record<PathVia, number> = {
  direct: 0,
  mapped: 1,
  lan: 2,
  inbound: 3,
  punched: 4,
  relayed: Infinity,
};

/** The relays worth asking for a circuit to `targetHex`, at most `max`, best first. */
export function rankRelays<T extends { peerKeyHex: string; path?: { via: PathVia } }>(
  connections: readonly T[],
  targetHex: string,
  max = 4,
): T[] {
  const rank = (c: T) => PREFERENCE[c.path?.via ?? "inbound"];
  return connections
    .filter((c) => c.peerKeyHex !== targetHex && rank(c) !== Infinity)
    .map((c, order) => ({ c, order }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.order - b.order)
    .slice(0, max)
    .map(({ c }) => c);
}
