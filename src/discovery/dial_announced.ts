/**
 * Dialling the peer an announce address describes, the one way for a pasted address (`connect`)
 * and for one heard by gossip or mDNS: decode it, decide the punch plan, carry it out.
 */
import type {
  PeerConnection,
  PeerInfo,
  Peers,
  PeerSource,
  QuicTransport,
} from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";
import { decodeAnnounceAddress } from "./announce_address.ts";
import { probe, spray } from "./birthday.ts";
import { NEEDS_RELAY, type PunchPlan, punchPlan } from "./hole_punch.ts";
import type { NatType } from "./nat_type.ts";

/** What dialling goes through. */
export interface Reach {
  /** This node's NAT type as known now. */
  natType: NatType;
  peers: Peers;
  transport: QuicTransport;
}

/** Options of {@link dialAnnounced}. */
export interface DialAnnouncedOptions {
  /** Where the address came from (remembered with the peer). */
  source: PeerSource;
  /**
   * Whether the birthday paradox may be used (thousands of packets to the address): not for an
   * address only a stranger vouches for. Default true.
   */
  punch?: boolean;
}

/** A peer to dial, as its announce address describes it. */
export interface DialTarget {
  ip: string;
  port: number;
  publicKey: Uint8Array;
}

/**
 * Connects to the peer `announce` describes (or returns its live connection) and remembers it.
 * Throws `BAD_REQUEST` for a malformed address, `UNAVAILABLE` when only a relay could join the two
 * NATs, and the dial's coded error otherwise.
 */
export async function dialAnnounced(
  announce: string,
  reach: Reach,
  options: DialAnnouncedOptions,
): Promise<PeerInfo> {
  const address = decodeAnnounceAddress(announce);
  const plan = punchPlan(reach.natType, address.natType);
  if (plan === "needs-relay") throw hdpError("UNAVAILABLE", NEEDS_RELAY);
  if (plan !== "direct" && options.punch === false) {
    throw hdpError(
      "UNAVAILABLE",
      "Reaching this peer takes the birthday paradox, which only a peer you added may start",
    );
  }
  const dial = punchDial(plan, address, reach.transport);
  return await reach.peers.connect(address.publicKey, { ip: address.ip, port: address.port }, {
    source: options.source,
    announce: announce.replace(/\s+/g, ""),
    ...(dial ? { dial } : {}),
  });
}

/**
 * How to carry out a punch plan: a dial procedure for `spray` and `probe` (the birthday paradox,
 * see birthday.ts), undefined for `direct` (dial as usual).
 */
function punchDial(
  plan: Exclude<PunchPlan, "needs-relay">,
  target: DialTarget,
  transport: QuicTransport,
): (() => Promise<PeerConnection>) | undefined {
  const { ip, port, publicKey } = target;
  if (plan === "spray") {
    return async () => {
      const from = await spray({ ip, port });
      return await transport.secondary(from).dial(ip, port, publicKey);
    };
  }
  if (plan === "probe") {
    return () => probe((p) => transport.dial(ip, p, publicKey, 4000, { probe: true }));
  }
  return undefined;
}
