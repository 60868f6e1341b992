/**
 * Finding peers on the local network with multicast DNS: answers queries for our service with our
 * records, queries now and then, and reports the peers that others announce. Records are built and
 * parsed in mdns_record.ts. Needs `--allow-sys=networkInterfaces` (the library joins the group on
 * every interface).
 */
import mdns from "multicast-dns";
import { logger } from "../log.ts";
import { toHex } from "../transport/mod.ts";
import { messageOf } from "../wire/mod.ts";
import { decodeAnnounceAddress } from "./announce_address.ts";
import { verifyAnnouncement } from "./gossip_signature.ts";
import {
  buildMdnsRecords,
  isMdnsQueryForUs,
  MDNS_SERVICE,
  type MdnsAnnouncement,
  type MdnsPeer,
  type MdnsRecord,
  parseMdnsResponse,
} from "./mdns_record.ts";

const log = logger("mdns");

/** The standard mDNS port and IPv4 group. */
export const MDNS_PORT = 5353;
const MDNS_GROUP = "224.0.0.251";
const MDNS_GROUP_V6 = "ff02::fb";
/** RFC 6762 section 6: a record is multicast at most once a second. */
const MIN_ANSWER_GAP_MS = 1000;

/** A peer found on the LAN. */
export interface MdnsFound extends MdnsPeer {
  /** True when its signature was checked; false when it came unsigned. */
  verified: boolean;
  /** Where the packet came from. */
  from: { ip: string; port: number };
}

/** Options of {@link startMdns}. */
export interface MdnsOptions {
  /** What to announce now; undefined while there is nothing to announce yet. */
  announce: () => MdnsAnnouncement | undefined;
  /** Called for every peer announcement heard (repeatedly for the same peer); never for us. */
  onPeer: (found: MdnsFound) => void;
  /** How often to query and announce again, in ms. Default 30 000. */
  intervalMs?: number;
  /** Ignore peers whose announcement is not signed. Default false. */
  requireSignature?: boolean;
  /** The clock for checking signatures. Default `Date.now`. */
  now?: () => number;
  /**
   * Socket settings: port (default 5353), the one interface to use (by its IPv4 address; for
   * IPv6, by its name: the group ff02::fb is per link), and the family (default 4).
   */
  socket?: { port?: number; interface?: string; family?: 4 | 6 };
}

/** A running mDNS responder. */
export interface Mdns {
  /** Asks the LAN for peers now. */
  query(): void;
  /** Announces our records now (at most once a second). */
  announce(): void;
  /** Leaves the group and closes the socket; safe to call twice. */
  close(): void;
}

/** Where a packet came from, as the library reports it. */
export interface MdnsRemote {
  address: string;
  port: number;
}

/** The part of a `multicast-dns` instance this module uses (tests pass a fake). */
export interface MdnsSocket {
  on(event: "query" | "response", listener: (packet: unknown, from: MdnsRemote) => void): unknown;
  on(event: "error" | "warning", listener: (error: unknown) => void): unknown;
  query(query: { questions: { name: string; type: string }[] }, done: Callback): void;
  respond(response: { answers: MdnsRecord[] }, to: MdnsRemote | undefined, done: Callback): void;
  destroy(): void;
}

type Callback = (error?: unknown) => void;

/**
 * Starts answering and querying on the mDNS group. Socket errors are logged, never thrown: when
 * the socket cannot be opened, the returned handle does nothing.
 */
export function startMdns(options: MdnsOptions): Mdns {
  const port = options.socket?.port ?? MDNS_PORT;
  const settings: Record<string, unknown> = { port, ip: MDNS_GROUP, reuseAddr: true };
  if (options.socket?.family === 6) {
    if (options.socket.interface === undefined) {
      log.warn("cannot start mDNS over IPv6 without an interface name");
      return { query() {}, announce() {}, close() {} };
    }
    // the group on one link, joined on that interface; the socket bound to every address
    Object.assign(settings, {
      type: "udp6",
      ip: MDNS_GROUP_V6,
      interface: `::%${options.socket.interface}`,
      bind: "::",
    });
  } else if (options.socket?.interface !== undefined) {
    // Bind the wildcard: bound to the interface address, the socket would miss the group.
    Object.assign(settings, { interface: options.socket.interface, bind: "0.0.0.0" });
  }
  let socket: MdnsSocket;
  try {
    socket = (mdns as unknown as (settings: object) => MdnsSocket)(settings);
  } catch (error) {
    log.warn("cannot start mDNS", { error: messageOf(error) });
    return { query() {}, announce() {}, close() {} };
  }
  return serveMdns(socket, { ...options, socket: { port } });
}

/** Runs the responder on an already created socket (a `multicast-dns` instance or a fake). */
export function serveMdns(socket: MdnsSocket, options: MdnsOptions): Mdns {
  const port = options.socket?.port ?? MDNS_PORT;
  const now = options.now ?? Date.now;
  let closed = false;
  let lastAnswer = -Infinity;
  let answerTimer: ReturnType<typeof setTimeout> | undefined;

  const logSendError: Callback = (error) => {
    if (error && !closed) log.debug("mDNS send failed", { error: messageOf(error) });
  };
  const records = (): MdnsRecord[] | undefined => {
    try {
      const announcement = options.announce();
      return announcement ? buildMdnsRecords(announcement) : undefined;
    } catch (error) {
      log.warn("cannot announce on mDNS", { error: messageOf(error) });
      return undefined;
    }
  };
  const multicastAnswer = (): void => {
    answerTimer = undefined;
    const answers = records();
    if (closed || !answers) return;
    lastAnswer = performance.now();
    guard(() => socket.respond({ answers }, undefined, logSendError));
  };
  // Delayed rather than dropped: a peer that just started must hear us within a second.
  const announce = (): void => {
    if (closed || answerTimer !== undefined) return;
    const wait = Math.max(0, lastAnswer + MIN_ANSWER_GAP_MS - performance.now());
    if (wait === 0) multicastAnswer();
    else answerTimer = setTimeout(multicastAnswer, wait);
  };
  const query = (): void => {
    if (closed) return;
    const questions = [{ name: MDNS_SERVICE, type: "PTR" }];
    guard(() => socket.query({ questions }, logSendError));
  };

  socket.on("query", (packet, from) => {
    if (closed || !isMdnsQueryForUs(packet)) return;
    if (isRemote(from) && from.port !== port) {
      // A one-shot querier (RFC 6762 section 6.7) only hears a unicast answer.
      const answers = records();
      if (answers) guard(() => socket.respond({ answers }, from, logSendError));
      return;
    }
    announce();
  });
  socket.on("response", (packet, from) => {
    if (closed || !isRemote(from)) return;
    for (const peer of parseMdnsResponse(packet)) {
      report(peer, from, options, now).catch((error) => {
        log.warn("mDNS peer handler failed", { error: messageOf(error) });
      });
    }
  });
  socket.on("error", (error) => log.warn("mDNS socket error", { error: messageOf(error) }));
  socket.on("warning", (error) => log.debug("mDNS warning", { error: messageOf(error) }));

  const tick = (): void => {
    query();
    announce();
  };
  tick();
  const interval = setInterval(tick, options.intervalMs ?? 30_000);
  return {
    query,
    announce,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(interval);
      clearTimeout(answerTimer);
      guard(() => socket.destroy());
    },
  };
}

async function report(
  peer: MdnsPeer,
  from: MdnsRemote,
  options: MdnsOptions,
  now: () => number,
): Promise<void> {
  if (isSelf(peer, options)) return;
  let verified = false;
  if (peer.signature !== undefined && peer.time !== undefined) {
    try {
      await verifyAnnouncement(peer.announce, peer.time, peer.signature, now());
      verified = true;
    } catch (error) {
      log.debug("ignoring an mDNS announcement", { from: from.address, error: messageOf(error) });
      return;
    }
  } else if (options.requireSignature) {
    return;
  }
  options.onPeer({ ...peer, verified, from: { ip: from.address, port: from.port } });
}

function isSelf(peer: MdnsPeer, options: MdnsOptions): boolean {
  try {
    const own = options.announce();
    if (!own) return false;
    return toHex(decodeAnnounceAddress(own.address).publicKey) === toHex(peer.address.publicKey);
  } catch {
    return false;
  }
}

function isRemote(value: unknown): value is MdnsRemote {
  const remote = value as MdnsRemote | null;
  return typeof remote === "object" && remote !== null && typeof remote.address === "string" &&
    typeof remote.port === "number";
}

function guard(action: () => void): void {
  try {
    action();
  } catch (error) {
    log.warn("mDNS call failed", { error: messageOf(error) });
  }
}
