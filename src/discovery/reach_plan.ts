/**
 * The reach decision over every candidate: which of a peer's candidates this node can dial and
 * how, in what order; and, when none can work, whether the peer could still reach this node or
 * only a relay could join them. Pure, so the whole matrix is tested without sockets.
 */
import { type ConnectionPath, familyOf } from "../transport/mod.ts";
import { addressScope } from "./address_scope.ts";
import { type Candidate, inDialOrder } from "./candidate.ts";
import { NEEDS_RELAY, type PunchPlan, punchPlan } from "./hole_punch.ts";
import type { NatType } from "./nat_type.ts";

/** What this node knows of its own reach. */
export interface OwnReach {
  /** The NAT type of its IPv4 mapping. */
  natType: NatType;
  /** Its own candidates (what it announces). */
  candidates: readonly Candidate[];
  /**
   * Its private addresses and their netmasks: a peer's LAN candidate is worth a try only in one
   * of these subnets (or behind the same public address).
   */
  lan?: readonly LanAddress[];
}

/** A private address of this host, with its subnet's mask (a /24 when not known). */
export interface LanAddress {
  address: string;
  netmask?: string;
}

/** What a peer's announce address says of it. */
export interface TheirReach {
  natType: NatType;
  candidates: readonly Candidate[];
}

/** One dial to try. */
export interface Attempt {
  candidate: Candidate;
  /** `direct`: one dial; `spray` / `probe`: the birthday paradox (birthday.ts). */
  how: Exclude<PunchPlan, "needs-relay">;
  path: ConnectionPath;
}

/** The decision: dials to try, best first; empty when none can work, with the reason. */
export interface ReachPlan {
  attempts: Attempt[];
  /**
   * Why nothing else can work (a relay is needed, or only the peer can dial): the answer when
   * `attempts` is empty, and when every attempt (a LAN candidate) fails.
   */
  refusal?: string;
}

/** Why only the peer can make the connection (it can reach this node, not the reverse). */
export const THEIR_SIDE =
  "This peer cannot be dialled from here, but it can reach this node: ask its owner to connect " +
  "to your announce address";

/** Decides how this node reaches a peer, over every pair of candidates. */
export function reachPlan(mine: OwnReach, theirs: TheirReach): ReachPlan {
  const ownIpv6 = mine.candidates.some((c) => c.kind === "ipv6");
  const attempts: Attempt[] = [];
  let beyondLan = false; // an attempt that does not need the peer to be on our LAN
  for (const candidate of inDialOrder(theirs.candidates)) {
    const family = familyOf(candidate.ip);
    switch (candidate.kind) {
      case "ipv6":
        if (!ownIpv6) break;
        attempts.push({ candidate, how: "direct", path: { family, via: "direct" } });
        beyondLan = true;
        break;
      case "mapped":
        attempts.push({ candidate, how: "direct", path: { family, via: "mapped" } });
        beyondLan = true;
        break;
      case "public": {
        const plan = punchPlan(mine.natType, theirs.natType);
        if (plan === "needs-relay") break;
        const via = plan === "direct" && (theirs.natType === "none" || theirs.natType === "unknown")
          ? "direct"
          : "punched";
        attempts.push({ candidate, how: plan, path: { family, via } });
        beyondLan = true;
        break;
      }
      case "lan":
        // loopback: a peer on this very host
        if (addressScope(candidate.ip) === "loopback" || onOurLan(candidate.ip, mine, theirs)) {
          attempts.push({ candidate, how: "direct", path: { family, via: "lan" } });
        }
        break;
    }
  }
  if (beyondLan) return { attempts };
  // a peer that announces only LAN addresses: if they fail, the dial's own error says why
  if (attempts.length > 0 && theirs.candidates.every((c) => c.kind === "lan")) return { attempts };
  return { attempts, refusal: reachableByThem(mine, theirs) ? THEIR_SIDE : NEEDS_RELAY };
}

/**
 * Whether a peer's LAN address may be on our LAN: behind the same public address (one NAT for
 * both) when both know theirs; else in the subnet of one of our private addresses. Two homes'
 * routers often hand out the same 192.168.1.x, which is why the public address decides first.
 */
function onOurLan(ip: string, mine: OwnReach, theirs: TheirReach): boolean {
  const lan = (mine.lan ?? []).filter((own) => own.address.includes(":") === ip.includes(":"));
  if (lan.length === 0) return false; // no LAN of that family here
  const ours = publicIpv4(mine.candidates);
  const their = publicIpv4(theirs.candidates);
  if (ours && their) return ours === their;
  return lan.some((own) => sameSubnet(own, ip));
}

function publicIpv4(candidates: readonly Candidate[]): string | undefined {
  return candidates.find((c) => c.kind === "public" && !c.ip.includes(":"))?.ip;
}

function sameSubnet(own: LanAddress, ip: string): boolean {
  if (own.address.includes(":") || ip.includes(":")) {
    return own.address.includes(":") === ip.includes(":"); // an IPv6 LAN: worth the try
  }
  const a = ipv4Number(own.address);
  const b = ipv4Number(ip);
  const mask = ipv4Number(own.netmask ?? "255.255.255.0");
  if (a === undefined || b === undefined || mask === undefined) return false;
  return ((a ^ b) & mask) >>> 0 === 0;
}

function ipv4Number(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
    return undefined;
  }
  return parts.reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
}

/** Whether the peer could dial this node (with this node's mapping, public address or IPv6). */
function reachableByThem(mine: OwnReach, theirs: TheirReach): boolean {
  if (mine.candidates.some((c) => c.kind === "mapped")) return true;
  if (mine.natType === "none") return true;
  const theirIpv6 = theirs.candidates.some((c) => c.kind === "ipv6");
  return theirIpv6 && mine.candidates.some((c) => c.kind === "ipv6");
}

/** The path of a connection the peer dialled: over the LAN, or in from outside. */
export function inboundPath(remote: { ip: string }): ConnectionPath {
  const scope = addressScope(remote.ip);
  const via = scope === "private" || scope === "loopback" || scope === "link-local"
    ? "lan"
    : "inbound";
  return { family: familyOf(remote.ip), via };
}

/**
 * Whether a node can be dialled without both ends sending at once: it has no NAT, or its router
 * forwards a port to it. Such a node needs no relay either: a dial to it that fails is tried
 * again directly.
 */
export function reachableWithoutPunching(theirs: TheirReach): boolean {
  return theirs.natType === "none" || theirs.candidates.some((c) => c.kind === "mapped");
}
