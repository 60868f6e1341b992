/**
 * Dialling the peer an announce address describes, the one way for a pasted address (`connect`)
 * and for one heard by gossip or mDNS: decode it, decide which candidates to dial and how
 * (reach_plan.ts), and dial them best first, a moment apart (happy_eyeballs.ts).
 */
import {
  CLOSE,
  type PeerConnection,
  type PeerInfo,
  type Peers,
  type PeerSource,
  type QuicTransport,
} from "../transport/mod.ts";
import { hdpError, messageOf, toHdpError } from "../wire/mod.ts";
import { decodeAnnounceAddress, type DecodedAnnounceAddress } from "./announce_address.ts";
import { probe, spray } from "./birthday.ts";
import { type Candidate, candidateText } from "./candidate.ts";
import { firstToConnect } from "./happy_eyeballs.ts";
import { type Attempt, type OwnReach, reachPlan } from "./reach_plan.ts";

/** What dialling goes through. */
export interface Reach {
  /** This node's own reach as known now: its NAT type and candidates. */
  own: OwnReach;
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
  /** Candidates not to dial (gossip drops the ones that make no sense for its path). */
  skip?: (candidate: { ip: string; port: number }) => boolean;
}

/**
 * Connects to the peer `announce` describes (or returns its live connection) and remembers it.
 * Throws `BAD_REQUEST` for a malformed address, `UNAVAILABLE` when no candidate can work (only a
 * relay could join the two, or only the peer can dial) and no relay reached it, and the dial's
 * coded error otherwise.
 */
export async function dialAnnounced(
  announce: string,
  reach: Reach,
  options: DialAnnouncedOptions,
): Promise<PeerInfo> {
  const address = decodeAnnounceAddress(announce);
  // No candidate can work from here: the dial says so at once, and the peers try a relay (a
  // friend connected to both), which keeps the peer: a relay may come later.
  const first = plannedOrNone(address, reach.own, options)?.[0]?.candidate ??
    address.candidates[0]!;
  const dial = announcedDialer(
    announce,
    { own: () => reach.own, transport: reach.transport },
    options,
  );
  return await reach.peers.connect(address.publicKey, { ip: first.ip, port: first.port }, {
    source: options.source,
    announce: announce.replace(/\s+/g, ""),
    dial,
  });
}

/** What {@link announcedDialer} dials with: this node's reach when it dials, and the endpoint. */
export interface DialerReach {
  own: () => OwnReach;
  transport: QuicTransport;
}

/**
 * The dial of the peer `announce` describes, to be run now and for every redial (a peer's record
 * keeps its announce address, so after a restart too): each run plans with this node's reach as
 * it is then and dials the candidates best first, keeping the first that authenticates.
 */
export function announcedDialer(
  announce: string,
  reach: DialerReach,
  options: Pick<DialAnnouncedOptions, "punch" | "skip"> = {},
): () => Promise<PeerConnection> {
  const address = decodeAnnounceAddress(announce);
  return async () => {
    const attempts = plannedAttempts(address, reach.own(), options);
    const refusal = reachPlan(reach.own(), {
      natType: address.natType,
      candidates: usable(address, options),
    }).refusal;
    return await firstToConnect(
      attempts.map((attempt) => ({
        label: candidateText(attempt.candidate),
        run: () => attemptDial(attempt, address.publicKey, reach.transport),
        patient: attempt.how !== "direct",
      })),
      { discard: (late) => late.closeWhenIdle(CLOSE.DUPLICATE, "another candidate was faster") },
    ).catch((error) => {
      // only LAN candidates were worth a try, and the peer is not there (one that answered,
      // refusing us, says so itself)
      const code = toHdpError(error, "UNAVAILABLE").code;
      if (refusal === undefined || (code !== "TIMEOUT" && code !== "UNAVAILABLE")) throw error;
      throw hdpError("UNAVAILABLE", `${refusal} (and not on this LAN: ${messageOf(error)})`);
    });
  };
}

function usable(
  address: DecodedAnnounceAddress,
  options: Pick<DialAnnouncedOptions, "skip">,
): Candidate[] {
  return options.skip ? address.candidates.filter((c) => !options.skip!(c)) : address.candidates;
}

/** {@link plannedAttempts}, or undefined for none. */
function plannedOrNone(
  address: DecodedAnnounceAddress,
  own: OwnReach,
  options: Pick<DialAnnouncedOptions, "punch" | "skip">,
): Attempt[] | undefined {
  try {
    return plannedAttempts(address, own, options);
  } catch {
    return undefined;
  }
}

/** The attempts worth making, or the coded refusal when there are none. */
function plannedAttempts(
  address: DecodedAnnounceAddress,
  own: OwnReach,
  options: Pick<DialAnnouncedOptions, "punch" | "skip">,
): Attempt[] {
  const candidates = usable(address, options);
  if (candidates.length === 0) {
    throw hdpError("UNAVAILABLE", "None of this peer's addresses may be dialled from here");
  }
  const plan = reachPlan(own, { natType: address.natType, candidates });
  let attempts = plan.attempts;
  if (attempts.length === 0) throw hdpError("UNAVAILABLE", plan.refusal!);
  if (options.punch === false) {
    attempts = attempts.filter((a) => a.how === "direct");
    if (attempts.length === 0) {
      throw hdpError(
        "UNAVAILABLE",
        "Reaching this peer takes the birthday paradox, which only a peer you added may start",
      );
    }
  }
  return attempts;
}

/** Carries out one attempt and labels the connection with its path. */
async function attemptDial(
  attempt: Attempt,
  publicKey: Uint8Array,
  transport: QuicTransport,
): Promise<PeerConnection> {
  const { ip, port } = attempt.candidate;
  let connection: PeerConnection;
  if (attempt.how === "spray") {
    const from = await spray({ ip, port });
    connection = await transport.secondary(from).dial(ip, port, publicKey);
  } else if (attempt.how === "probe") {
    connection = await probe((p) => transport.dial(ip, p, publicKey, 4000, { probe: true }));
  } else {
    connection = await transport.dial(ip, port, publicKey);
  }
  connection.path = attempt.path;
  return connection;
}
