/**
 * Address candidates: the places one node may be reached at, each with its kind, as an announce
 * address (version 2) lists them. Pure: which kinds there are, their wire numbers, and the order
 * a dialler tries them in.
 */
import { addressScope } from "./address_scope.ts";

/**
 * How a candidate was learnt:
 * - `public`: the IPv4 mapping STUN (or a peer) saw; whether it takes unsolicited packets is the
 *   announce address's NAT type;
 * - `mapped`: a port the router opened on request (PCP, NAT-PMP or UPnP-IGD): reachable from
 *   anywhere, whatever the NAT type;
 * - `ipv6`: a global IPv6 address of the host; behind a home router's firewall it opens only when
 *   both sides dial at once;
 * - `lan`: a private address, for peers on the same network.
 */
export const CANDIDATE_KINDS = ["public", "mapped", "ipv6", "lan"] as const;

/** See {@link CANDIDATE_KINDS}. */
export type CandidateKind = typeof CANDIDATE_KINDS[number];

/** One place a node may be reached at. */
export interface Candidate {
  kind: CandidateKind;
  /** IPv4 dotted quad or IPv6 text. */
  ip: string;
  port: number;
}

/** How many candidates one announce address may carry. */
export const MAX_CANDIDATES = 8;

/** The kind a lone address (announce address version 1) most likely is. */
export function kindOfAddress(ip: string): CandidateKind {
  const scope = addressScope(ip);
  if (scope === "private" || scope === "loopback" || scope === "link-local") return "lan";
  return ip.includes(":") && !ip.startsWith("::ffff:") ? "ipv6" : "public";
}

/** Dial order: IPv6 first (happy eyeballs), then a router's mapping, the STUN mapping, the LAN. */
const PREFERENCE: Record<CandidateKind, number> = { ipv6: 0, mapped: 1, public: 2, lan: 3 };

/** `candidates` in the order a dialler tries them (stable within one kind). */
export function inDialOrder(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => PREFERENCE[a.kind] - PREFERENCE[b.kind]);
}

/** `ip:port`, bracketing IPv6. */
export function candidateText(candidate: { ip: string; port: number }): string {
  const { ip, port } = candidate;
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
