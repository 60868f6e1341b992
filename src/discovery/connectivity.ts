/**
 * How this node is reached and how it finds others: its public address and NAT type (STUN before
 * the QUIC endpoint takes the port, then what peers observe), signed gossip of announce addresses
 * (AnnouncePeer), and mDNS on the LAN. Dialling both ways at once punches through easy NATs.
 */
import { logger } from "../log.ts";
import {
  displayName,
  fromHex,
  type Identity,
  type PeerConnection,
  type Standing,
  toHex,
} from "../transport/mod.ts";
import { hdpError, messageOf } from "../wire/mod.ts";
import { decodeAnnounceAddress, encodeAnnounceAddress } from "./announce_address.ts";
import { reachableWithoutPunching } from "./reach_plan.ts";
import { addressScope } from "./address_scope.ts";
import type { Candidate } from "./candidate.ts";
import {
  GOSSIP_DIALS_PER_MINUTE,
  GossipDialRate,
  gossipDialRefusal,
  TRUSTED_GOSSIP_DIALS_PER_MINUTE,
} from "./gossip_dials.ts";
import { mayPassOn } from "./gossip_privacy.ts";
import { offsetText, verifyAnnouncement } from "./gossip_signature.ts";
import { addressesKey, type LocalAddress, localAddresses } from "./local_addresses.ts";
import { type Mdns, type MdnsFound, startMdns } from "./mdns.ts";
import type { NatType } from "./nat_type.ts";
import { OwnAnnouncement, type SignedAnnouncement } from "./own_announcement.ts";
import type { OwnReach } from "./reach_plan.ts";
import { learnIpv6Address, learnPublicAddress, type StunServer } from "./stun_client.ts";

const log = logger("connectivity");

/** Dials of peers heard of that may wait for their announcer's share at once. */
const MAX_DEFERRED_DIALS = 256;
/** How long the larger key of two peers told of each other waits for the other's dial. */
const GOSSIP_YIELD_MS = 3_000;
/** The first early STUN retry while the NAT type is unknown, and the last. */
const UNKNOWN_RETRY_MS = 2000;
const UNKNOWN_RETRY_MAX_MS = 32_000;

/** Public STUN servers used when none are given. */
export const DEFAULT_STUN_SERVERS = [
  "stun.l.google.com:19302",
  "stun1.l.google.com:19302",
  "stun.cloudflare.com:3478",
];

/** How many announcements are sent to one peer at once (its budget is 8). */
const ANNOUNCES_AT_ONCE = 4;

/**
 * Runs `send` for each item, `width` at a time; rejects at the end if any failed (with the count).
 */
async function inTurn<T>(items: T[], width: number, send: (item: T) => Promise<void>) {
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < items.length) await send(items[next++]!).catch(() => failed++);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  if (failed) throw new Error(`${failed} announcements did not arrive`);
}

/** How many peers' announcements are kept to pass on. */
export const MAX_KNOWN = 1024;

/** What connectivity needs from the peers. */
export interface PeerDirectory {
  isConnected(keyHex: string): boolean;
  /**
   * Dials the peer an announce address describes (see dial_announced.ts); `punch: false`: one
   * plain dial, never the birthday paradox's thousands.
   */
  connect(
    announce: string,
    source: "gossip" | "mdns",
    options: { punch: boolean; skip: (candidate: { ip: string }) => boolean },
  ): Promise<unknown>;
  /** Where a connected peer is, as this node sees it. */
  remoteOf(keyHex: string): { ip: string; port: number } | undefined;
  /** Whether this node's owner added or used the peer: its introductions may be hole-punched. */
  trusted(keyHex: string): boolean;
  /** A peer's standing with this node's owner: who may hear of whom (gossip_privacy.ts). */
  standing(keyHex: string): Standing;
  /** Live connections to other peers, to gossip to. */
  connections(): PeerConnection[];
  /** Sends an announcement to one peer. */
  send(connection: PeerConnection, announcement: SignedAnnouncement): Promise<void>;
  /** The network changed: pending redials should come sooner. */
  redialSoon(): void;
}

/** Options of {@link Connectivity}. */
export interface ConnectivityOptions {
  stun: boolean;
  /** `host:port`; empty: {@link DEFAULT_STUN_SERVERS}. */
  stunServers: string[];
  mdns: boolean;
  /** Dial peers learnt by gossip and mDNS. Default true. */
  autoDial?: boolean;
  /** Ask peers not to pass this node on (`--no-gossip-me`). Default false. */
  unlisted?: boolean;
  /** Called when the announce address changes. */
  onChange?: () => void;
  /** How often to look for a changed local address. Default 60 s. */
  recheckMs?: number;
  /** How often to compare the host's addresses, which is cheap. Default 5 s. */
  watchMs?: number;
  /** The host's addresses (tests pass their own). Default {@link localAddresses}. */
  addresses?: () => LocalAddress[];
  /** The node asks its router for a port (see {@link setMapping}). Default false. */
  portMapping?: boolean;
}

/** How many of the host's global IPv6 addresses are announced. */
const MAX_IPV6 = 2;
/** mDNS runs over IPv6 on at most this many links. */
const MAX_MDNS_LINKS = 4;
/** At most this many candidates in an IPv6 mDNS announcement (its TXT string holds 255 bytes). */
const MAX_MDNS_CANDIDATES = 4;

/** A router's port mapping, as port_mapper.ts learns it. */
export interface RouterMapping {
  protocol: string;
  externalIp: string;
  externalPort: number;
}

/** The states of asking the router for a port; see {@link MappingStatus}. */
export const MAPPING_STATES = ["off", "trying", "none", "mapped", "unusable"] as const;

/**
 * What became of asking the router for a port, for `info` and the UI. `off`: not asked
 * (`--no-port-mapping`); `trying`: the first attempt is under way; `none`: no gateway answered
 * (or none would map); `mapped`: in use, announced as a candidate; `unusable`: the router mapped
 * one that reaches nobody, `why` says why (a carrier's NAT in front of the router, most often).
 */
export interface MappingStatus {
  state: typeof MAPPING_STATES[number];
  /** The router's mapping, in use or not (`mapped`, `unusable`). */
  mapping?: RouterMapping;
  why?: string;
}

/** The reachability of one node. */
export class Connectivity {
  readonly #identity: Identity;
  readonly #options: ConnectivityOptions;
  #port = 0;
  #bound = "::";
  #natType: NatType = "unknown";
  #public: { ip: string; port: number } | undefined;
  /** The router's port mapping as it answered; whether it is used is decided when asked. */
  #routerMapping: RouterMapping | undefined;
  /** The router was asked at least once (see {@link setMapping}). */
  #mappingAnswered = false;
  /** What STUN over IPv6 saw; `kept`: with the port it was sent from. */
  #ipv6Seen: { ip: string; kept: boolean } | undefined;
  /** Signed for gossip: the announce address to give people. */
  readonly #own: OwnAnnouncement;
  /** Signed for mDNS: the LAN address. */
  readonly #lan: OwnAnnouncement;
  readonly #lan6: OwnAnnouncement;
  /**
   * The latest signed announcement of each peer we heard from: what we pass on. Bounded (keys
   * cost nothing): past {@link MAX_KNOWN}, the one heard of longest ago goes.
   */
  readonly #known = new Map<string, SignedAnnouncement>();
  /** The gossip dials each announcing peer (or mDNS sender) caused lately. */
  readonly #dialRate = new GossipDialRate();
  /** Dials of peers heard of that wait for their announcer's share, by the peer's key. */
  readonly #deferred = new Map<string, ReturnType<typeof setTimeout>>();
  #directory: PeerDirectory | undefined;
  #mdns: Mdns | undefined;
  /** mDNS on each IPv6 link. */
  readonly #mdns6: Mdns[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  /** While the NAT type is unknown (STUN lost at start): the next early try. */
  #unknownRetry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #watch: ReturnType<typeof setInterval> | undefined;
  #addresses = "";
  #lastLocal = "";
  #stunAt = Date.now();

  constructor(identity: Identity, options: ConnectivityOptions) {
    this.#identity = identity;
    this.#options = options;
    this.#own = new OwnAnnouncement(identity, { unlisted: options.unlisted ?? false });
    this.#lan = new OwnAnnouncement(identity);
    this.#lan6 = new OwnAnnouncement(identity);
  }

  /**
   * Asks STUN servers from `port` before the QUIC endpoint binds it: the NAT's mapping for that
   * port is then the public address. Offline, it gives up within ~1.5 s and the node starts anyway.
   */
  async probe(port: number): Promise<void> {
    if (!this.#options.stun) return;
    await Promise.all([this.#probeIpv4(port), this.#probeIpv6()]);
  }

  /**
   * STUN over IPv6, when the host has a global IPv6 address: what the internet sees of it. Its
   * own address (no NAT66) confirms the IPv6 candidates; another global one with the port kept
   * (a prefix translation, NPTv6) is announced too, since that is where peers reach it.
   */
  async #probeIpv6(): Promise<void> {
    const own = this.#globalIpv6();
    if (own.length === 0) return;
    const servers = this.#stunServers().filter((s) => !/^\d+\.\d+\.\d+\.\d+$/.test(s.hostname));
    if (servers.length === 0) return;
    try {
      const found = await learnIpv6Address(servers, { timeoutMs: 1500 });
      const first = found?.mapped[0];
      if (!found || !first) {
        log.info("no STUN server answered over IPv6", { own: own.join(", ") });
        return;
      }
      this.#ipv6Seen = { ip: first.ip, kept: first.port === found.localPort };
      log.info("learned the public IPv6 address", {
        seen: first.ip,
        translated: !own.includes(first.ip),
      });
    } catch (error) {
      log.warn("STUN over IPv6 failed", { error: messageOf(error) });
    }
  }

  async #probeIpv4(port: number): Promise<void> {
    try {
      const servers = this.#stunServers().filter((s) => !s.hostname.includes(":"));
      const found = await learnPublicAddress(port, servers, { timeoutMs: 1500 });
      this.#natType = found.natType;
      const first = found.mapped[0];
      if (first) this.#public = { ip: first.ip, port: first.port };
      log.info("learned the public address", {
        natType: found.natType,
        public: first ? `${first.ip}:${first.port}` : "none",
        answered: found.mapped.length,
      });
    } catch (error) {
      log.warn("STUN failed; starting without a public address", { error: messageOf(error) });
    }
  }

  /** Starts gossip and mDNS once the endpoint is bound, and the periodic re-check. */
  start(bound: { hostname: string; port: number }, directory: PeerDirectory): void {
    this.#bound = bound.hostname;
    this.#port = bound.port;
    this.#directory = directory;
    this.#lastLocal = this.#localIp();
    const recheck = () => {
      this.#recheck().catch((error) => log.debug("re-check failed", { error: messageOf(error) }));
    };
    this.#timer = setInterval(recheck, this.#options.recheckMs ?? 60_000);
    this.#retryWhileUnknown(UNKNOWN_RETRY_MS);
    const addresses = this.#options.addresses ?? localAddresses;
    this.#addresses = addressesKey(addresses());
    // An address that comes or goes (Wi-Fi back, a cable plugged in, another network) is the
    // first sign the network is back: redial peers now rather than at the end of their backoff.
    this.#watch = setInterval(() => {
      const now = addressesKey(addresses());
      if (now === this.#addresses) return;
      this.#addresses = now;
      log.info("the host's addresses changed; redialling peers soon", { addresses: now });
      directory.redialSoon();
      recheck();
    }, this.#options.watchMs ?? 5000);
    if (this.#options.mdns) {
      const onPeer = (found: MdnsFound) => {
        if (!found.verified || found.announce === undefined) return;
        void this.#dialHeard(found.announce, `mdns ${found.from.ip}`, found.from.ip, "mdns")
          .catch(() => {});
      };
      this.#mdns = startMdns({ announce: () => this.#lanAnnouncement(), onPeer });
      // and on each IPv6 link (an IPv6-only LAN too), with the IPv6 addresses in the announcement
      if (this.#bound === "::") {
        for (const name of this.#ipv6Links()) {
          this.#mdns6.push(startMdns({
            announce: () => this.#lanAnnouncement6(),
            onPeer,
            socket: { family: 6, interface: name },
          }));
        }
      }
    }
  }

  /** The NAT type as far as known. */
  get natType(): NatType {
    return this.#natType;
  }

  /**
   * The announce address to give people: every candidate (the public mapping STUN saw, the
   * router's port mapping, global IPv6, the LAN address), or just a local address when nothing
   * else is known. One candidate gives a version 1 address, which old peers read.
   */
  announceAddress(): string {
    const local = this.#localIp();
    const natType = this.#public || local !== "127.0.0.1" ? this.#natType : "unknown";
    const candidates = this.candidates();
    const first = candidates[0]!;
    return encodeAnnounceAddress({
      publicKey: this.#identity.publicKey,
      ip: first.ip,
      port: first.port,
      natType,
      candidates,
    });
  }

  /** Where this node may be reached, best known first (see candidate.ts). */
  candidates(): Candidate[] {
    const local = this.#localIp();
    const out: Candidate[] = [];
    if (this.#public) out.push({ kind: "public", ...this.#public });
    const mapping = this.mapping;
    if (mapping) out.push({ kind: "mapped", ip: mapping.externalIp, port: mapping.externalPort });
    if (this.#bound === "::") {
      const ipv6 = this.#globalIpv6();
      // behind a prefix translation the internet knows this host by another address: first
      const seen = this.#ipv6Seen;
      if (seen && seen.kept && addressScope(seen.ip) === "global" && !ipv6.includes(seen.ip)) {
        ipv6.unshift(seen.ip);
      }
      for (const ip of [...new Set(ipv6)].slice(0, MAX_IPV6)) {
        out.push({ kind: "ipv6", ip, port: this.#port });
      }
    }
    const sameAsPublic = this.#public?.ip === local && this.#public.port === this.#port;
    if (!sameAsPublic) {
      const kind = addressScope(local) === "global" ? "public" : "lan";
      // a lone local address says it all; beside a public one it is the LAN's way in
      if (out.length === 0 || kind === "lan") out.push({ kind, ip: local, port: this.#port });
    }
    return out;
  }

  /** What STUN over IPv6 saw of this host (see {@link probe}), for `info`. */
  get ipv6Seen(): string | undefined {
    return this.#ipv6Seen?.ip;
  }

  #globalIpv6(): string[] {
    return (this.#options.addresses ?? localAddresses)()
      .filter((a) => a.family === "IPv6" && addressScope(a.address) === "global")
      .map((a) => a.address);
  }

  /** This node's reach, as the dialler plans with it (reach_plan.ts). */
  ownReach(): OwnReach {
    const lan = (this.#options.addresses ?? localAddresses)()
      .filter((a) => addressScope(a.address) === "private")
      .map((
        a,
      ) => (a.netmask ? { address: a.address, netmask: a.netmask } : { address: a.address }));
    return { natType: this.#natType, candidates: this.candidates(), lan };
  }

  /**
   * The router's port mapping came, changed or went (port_mapper.ts); undefined after an attempt
   * that got none. A mapping whose external address is not a global one (a home router behind a
   * carrier's NAT) reaches nobody and is not announced; nor is one that disagrees with the public
   * address STUN saw (a gateway that lies, or another router in front of it).
   */
  setMapping(mapping: RouterMapping | undefined): void {
    this.#routerMapping = mapping;
    this.#mappingAnswered = true;
    const status = this.mappingStatus();
    if (status.state === "unusable") {
      log.info("the router's port mapping reaches nobody; not announced", {
        protocol: mapping?.protocol,
        external: mapping?.externalIp,
        why: status.why,
      });
    }
    this.#options.onChange?.();
  }

  /** The port mapping in use (see {@link setMapping}), announced as a candidate. */
  get mapping(): RouterMapping | undefined {
    const status = this.mappingStatus();
    return status.state === "mapped" ? status.mapping : undefined;
  }

  /** What became of asking the router for a port. */
  mappingStatus(): MappingStatus {
    if (!this.#options.portMapping) return { state: "off" };
    if (!this.#mappingAnswered) return { state: "trying" };
    const mapping = this.#routerMapping;
    if (!mapping) return { state: "none" };
    const why = this.#unusable(mapping);
    return why === undefined ? { state: "mapped", mapping } : { state: "unusable", mapping, why };
  }

  #unusable(mapping: RouterMapping): string | undefined {
    if (addressScope(mapping.externalIp) !== "global") {
      return `The router's external address ${mapping.externalIp} is not a public one: ` +
        "another NAT (a carrier's) is in front of it";
    }
    if (this.#public && this.#public.ip !== mapping.externalIp) {
      return `The router's external address ${mapping.externalIp} is not the public address ` +
        `${this.#public.ip} STUN saw`;
    }
    return undefined;
  }

  /** Our own announcement, signed (re-signed when the address changes or it gets old). */
  ownAnnouncement(): Promise<SignedAnnouncement> {
    return this.#own.sign(this.announceAddress());
  }

  /**
   * A peer connected: tell it who we are and whom we know, and tell the others about it (so that
   * both ends dial each other at once, which is what opens easy NATs).
   */
  async connected(connection: PeerConnection): Promise<void> {
    const directory = this.#directory;
    if (!directory) return;
    if (connection.direction === "outbound" && connection.observed) {
      this.#observed(connection.observed);
    }
    // to the new peer a few at a time: it answers a flood of them BUSY (its AnnouncePeer budget)
    const news = [await this.ownAnnouncement()];
    const listener = directory.standing(connection.peerKeyHex);
    for (const [key, announcement] of this.#known) {
      if (key !== connection.peerKeyHex && directory.isConnected(key)) {
        if (this.#mayPassOn(key, announcement, listener)) news.push(announcement);
      }
    }
    const sends: Promise<void>[] = [
      inTurn(news, ANNOUNCES_AT_ONCE, (a) => directory.send(connection, a)),
    ];
    const theirs = this.#known.get(connection.peerKeyHex);
    if (theirs) sends.push(...this.#passOn(connection.peerKeyHex, theirs));
    const results = await Promise.allSettled(sends);
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed) log.debug("some gossip did not arrive", { failed });
  }

  /**
   * An AnnouncePeer from a peer: checked (only the described peer can have signed it), remembered
   * to pass on, and dialled in the background when we are not connected and the address fits
   * (see gossip_dials.ts). Throws `UNAUTHORIZED` / `BAD_REQUEST`.
   */
  async announced(
    from: string,
    announcement: { address: string; time?: number; signature?: Uint8Array; unlisted?: boolean },
  ): Promise<void> {
    if (announcement.signature === undefined || announcement.time === undefined) {
      throw hdpError("UNAUTHORIZED", "Unsigned announcements are not accepted");
    }
    const signed: SignedAnnouncement = {
      address: announcement.address,
      time: announcement.time,
      signature: announcement.signature,
      ...(announcement.unlisted ? { unlisted: true } : {}),
    };
    const now = Date.now();
    const unlisted = signed.unlisted === true;
    const decoded = await verifyAnnouncement(signed.address, signed.time, signed.signature, now, {
      unlisted,
    })
      .catch((error) => {
        // A peer whose clock is far off would otherwise never be dialled, and nobody would know.
        log.info("refused an announcement", {
          from: displayName(fromHex(from)!),
          offset: offsetText(signed.time - now),
          error: messageOf(error),
        });
        throw error;
      });
    const key = toHex(decoded.publicKey);
    if (key === this.#identity.publicKeyHex) return;
    const previous = this.#known.get(key);
    if (!previous || previous.time < signed.time) {
      this.#known.delete(key); // re-inserted last: the map's order is the order of news
      this.#known.set(key, signed);
      if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value!);
    }
    log.debug("heard of a peer", { from, peer: key.slice(0, 8) });
    if (key === from) {
      // the peer itself: now we can pass it on to the others it may be told to
      for (const sent of this.#passOn(key, signed)) sent.catch(() => {});
      return;
    }
    const path = this.#directory?.remoteOf(from)?.ip;
    if (path === undefined) return; // it left meanwhile
    // the ack does not wait for the dial (up to 10 s): news is cheap to send, whatever comes of it
    void this.#dialHeard(signed.address, from, path, "gossip").catch(() => {});
  }

  /**
   * Dials a peer heard of, if its address makes sense for the path the news came by and the
   * announcer has not caused its share of dials this minute (see gossip_dials.ts).
   */
  async #dialHeard(
    address: string,
    announcer: string,
    path: string,
    source: "gossip" | "mdns",
    yielded = false,
  ): Promise<void> {
    const directory = this.#directory;
    if (!directory || this.#options.autoDial === false) return;
    const target = decodeAnnounceAddress(address);
    const key = toHex(target.publicKey);
    if (key === this.#identity.publicKeyHex || directory.isConnected(key)) return;
    if (directory.standing(key) === "blocked") return;
    const refusals = target.candidates.map((c) => gossipDialRefusal(c.ip, path));
    if (refusals.every((r) => r !== undefined)) {
      log.debug("not dialling a peer heard of", {
        peer: key.slice(0, 8),
        source,
        refusal: refusals[0],
      });
      return;
    }
    if (
      source === "gossip" && !yielded && this.#identity.publicKeyHex > key &&
      reachableWithoutPunching({ natType: target.natType, candidates: target.candidates ?? [] })
    ) {
      // A friend introduces its friends to each other at once, so both ends hear of each other
      // together: the smaller key dials, and the other only if no connection came meanwhile.
      // Crossing dials would double the handshakes (a group of fifty makes 1,225 pairs).
      this.#deferDial(
        key,
        GOSSIP_YIELD_MS,
        () => this.#dialHeard(address, announcer, path, source, true),
      );
      return;
    }
    const perMinute = directory.trusted(announcer)
      ? TRUSTED_GOSSIP_DIALS_PER_MINUTE
      : GOSSIP_DIALS_PER_MINUTE;
    if (!this.#dialRate.take(announcer, perMinute)) {
      // later, within the announcer's share: news beyond it waits rather than being lost
      this.#deferDial(
        key,
        this.#dialRate.waitFor(announcer, perMinute),
        () => this.#dialHeard(address, announcer, path, source),
      );
      return;
    }
    try {
      await directory.connect(address, source, {
        punch: source === "gossip" && directory.trusted(announcer),
        skip: (candidate) => gossipDialRefusal(candidate.ip, path) !== undefined,
      });
    } catch (error) {
      log.debug("could not reach a peer we heard of", {
        peer: key.slice(0, 8),
        source,
        error: messageOf(error),
      });
    }
  }

  /**
   * Dials `key` in `ms` (once however often it is heard of meanwhile); at most
   * {@link MAX_DEFERRED_DIALS} wait, the news past them is dropped.
   */
  #deferDial(key: string, ms: number, dial: () => Promise<void>): void {
    if (this.#closed || this.#deferred.has(key)) return;
    if (this.#deferred.size >= MAX_DEFERRED_DIALS) {
      log.debug("not dialling a peer heard of: too many dials wait already", {
        peer: key.slice(0, 8),
      });
      return;
    }
    const timer = setTimeout(() => {
      this.#deferred.delete(key);
      if (!this.#closed) void dial().catch(() => {});
    }, ms + Math.random() * 1000); // spread: many heard at once are not dialled at once
    this.#deferred.set(key, timer);
  }

  /** Sends `subject`'s announcement to every other connected peer the privacy rule allows. */
  #passOn(subject: string, announcement: SignedAnnouncement): Promise<void>[] {
    const directory = this.#directory;
    if (!directory) return [];
    return directory.connections()
      .filter((other) =>
        other.peerKeyHex !== subject &&
        this.#mayPassOn(subject, announcement, directory.standing(other.peerKeyHex))
      )
      .map((other) => directory.send(other, announcement));
  }

  #mayPassOn(subject: string, announcement: SignedAnnouncement, listener: Standing): boolean {
    const standing = this.#directory?.standing(subject) ?? "known";
    return mayPassOn({ standing, unlisted: announcement.unlisted === true }, listener);
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const timer of this.#deferred.values()) clearTimeout(timer);
    this.#deferred.clear();
    clearTimeout(this.#unknownRetry);
    this.#closed = true;
    if (this.#watch !== undefined) clearInterval(this.#watch);
    this.#mdns?.close();
    for (const mdns of this.#mdns6.splice(0)) mdns.close();
  }

  /**
   * Every minute: a new local address (another network) means a new public one too, so STUN is
   * asked again, from a spare port (the QUIC port is taken): it still tells the NAT type and the
   * public IP, and an easy NAT keeps the QUIC port's mapping. Every ten minutes STUN is asked
   * anyway.
   */
  async #recheck(): Promise<void> {
    const local = this.#localIp();
    const moved = local !== this.#lastLocal;
    this.#lastLocal = local;
    const known = this.#natType !== "unknown" || !this.#options.stun;
    if (!moved && known && Date.now() - this.#stunAt < 600_000) return;
    if (moved) log.info("the local address changed", { address: local });
    const before = this.announceAddress();
    if (moved) this.#public = undefined;
    if (this.#options.stun) {
      const found = await learnPublicAddress(0, this.#stunServers(), { timeoutMs: 1500 });
      this.#stunAt = Date.now();
      if (found.natType !== "unknown") this.#natType = found.natType;
      const first = found.mapped[0];
      // the spare port's mapping says which IP; the QUIC port's mapping keeps its port
      if (first && this.#public) this.#public = { ip: first.ip, port: this.#public.port };
      else if (first && this.#natType === "none") this.#public = { ip: first.ip, port: this.#port };
    }
    if (this.announceAddress() !== before) this.#options.onChange?.();
  }

  /**
   * STUN lost at start (every retransmission of a probe, or one server of two) leaves the NAT
   * type unknown, and with it every decision that needs it ("needs relay", the birthday
   * paradox): asked again at 2 s, doubling to 32 s, until it is known; then the minute's re-check.
   */
  #retryWhileUnknown(delay: number): void {
    if (this.#closed || !this.#options.stun || this.#natType !== "unknown") return;
    if (delay > UNKNOWN_RETRY_MAX_MS) return;
    this.#unknownRetry = setTimeout(async () => {
      await this.#recheck().catch((error) =>
        log.debug("re-check failed", { error: messageOf(error) })
      );
      if (this.#natType !== "unknown") log.info("learned the NAT type", { natType: this.#natType });
      this.#retryWhileUnknown(delay * 2);
    }, delay);
  }

  /** The interfaces with an IPv6 address beyond link-local: where mDNS also runs over IPv6. */
  #ipv6Links(): string[] {
    const names = (this.#options.addresses ?? localAddresses)()
      .filter((a) => a.family === "IPv6" && ["global", "private"].includes(addressScope(a.address)))
      .map((a) => a.interface);
    return [...new Set(names)].slice(0, MAX_MDNS_LINKS);
  }

  /**
   * The IPv6 link's announcement: a version 2 address with the IPv6 addresses (and the IPv4 LAN
   * address, when there is one), which only nodes that listen on ff02::fb hear: old ones listen
   * on IPv4 alone, where the version 1 announcement stays.
   */
  #lanAnnouncement6() {
    if (!this.#port) return undefined;
    const port = this.#port;
    const candidates: Candidate[] = [];
    const local = this.#localIp();
    if (!local.includes(":") && local !== "127.0.0.1") {
      candidates.push({ kind: "lan", ip: local, port });
    }
    for (const a of (this.#options.addresses ?? localAddresses)()) {
      if (a.family !== "IPv6") continue;
      const scope = addressScope(a.address);
      if (scope === "global") candidates.push({ kind: "ipv6", ip: a.address, port });
      else if (scope === "private") candidates.push({ kind: "lan", ip: a.address, port });
    }
    const unique = candidates.filter((c, i) => candidates.findIndex((d) => d.ip === c.ip) === i)
      .slice(0, MAX_MDNS_CANDIDATES);
    if (unique.length === 0) return undefined;
    const first = unique[0]!;
    const address = encodeAnnounceAddress({
      publicKey: this.#identity.publicKey,
      ip: first.ip,
      port,
      natType: this.#natType,
      candidates: unique,
    });
    const fresh = this.#lan6.fresh(address);
    if (fresh) return fresh;
    this.#lan6.sign(address).then(() => {
      for (const mdns of this.#mdns6) mdns.announce();
    }).catch(() => {});
    return this.#lan6.latest(address);
  }

  #lanAnnouncement() {
    const ip = this.#localIp();
    if (!this.#port) return undefined;
    const address = encodeAnnounceAddress({
      publicKey: this.#identity.publicKey,
      ip,
      port: this.#port,
      natType: this.#natType,
    });
    // mDNS answers are built synchronously: sign ahead, and refresh in the background
    const fresh = this.#lan.fresh(address);
    if (fresh) return fresh;
    this.#lan.sign(address).then(() => this.#mdns?.announce()).catch(() => {});
    return this.#lan.latest(address);
  }

  #stunServers(): StunServer[] {
    const servers = this.#options.stunServers;
    return (servers.length ? servers : DEFAULT_STUN_SERVERS).map(parseServer);
  }

  /** What a peer outside our LAN sees of us is our public address. */
  #observed(seen: { ip: string; port: number }): void {
    const local = new Set(localAddresses().map((a) => a.address));
    if (local.has(seen.ip) || seen.ip.startsWith("127.") || seen.ip === "::1") return;
    if (seen.ip.includes(":")) return; // IPv6: the host's own address, already a candidate
    if (this.#public?.ip === seen.ip && this.#public.port === seen.port) return;
    this.#public = seen;
    if (this.#natType === "unknown") this.#natType = "easy"; // reachable from outside at that mapping
    log.info("a peer sees us at a new public address", { public: `${seen.ip}:${seen.port}` });
    this.#options.onChange?.();
  }

  #localIp(): string {
    if (this.#bound !== "0.0.0.0" && this.#bound !== "::") return this.#bound;
    const addresses = (this.#options.addresses ?? localAddresses)();
    return addresses.find((a) => a.family === "IPv4")?.address ?? addresses[0]?.address ??
      "127.0.0.1";
  }
}

function parseServer(text: string): StunServer {
  const colon = text.lastIndexOf(":");
  return {
    hostname: text.slice(0, colon).replace(/^\[|\]$/g, ""),
    port: Number(text.slice(colon + 1)),
  };
}
