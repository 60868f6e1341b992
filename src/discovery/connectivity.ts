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
import { GossipDialRate, gossipDialRefusal } from "./gossip_dials.ts";
import { mayPassOn } from "./gossip_privacy.ts";
import { offsetText, verifyAnnouncement } from "./gossip_signature.ts";
import { addressesKey, type LocalAddress, localAddresses } from "./local_addresses.ts";
import { type Mdns, startMdns } from "./mdns.ts";
import type { NatType } from "./nat_type.ts";
import { OwnAnnouncement, type SignedAnnouncement } from "./own_announcement.ts";
import { learnPublicAddress, type StunServer } from "./stun_client.ts";

const log = logger("connectivity");

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
    options: { punch: boolean },
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
}

/** The reachability of one node. */
export class Connectivity {
  readonly #identity: Identity;
  readonly #options: ConnectivityOptions;
  #port = 0;
  #bound = "0.0.0.0";
  #natType: NatType = "unknown";
  #public: { ip: string; port: number } | undefined;
  /** Signed for gossip: the announce address to give people. */
  readonly #own: OwnAnnouncement;
  /** Signed for mDNS: the LAN address. */
  readonly #lan: OwnAnnouncement;
  /**
   * The latest signed announcement of each peer we heard from: what we pass on. Bounded (keys
   * cost nothing): past {@link MAX_KNOWN}, the one heard of longest ago goes.
   */
  readonly #known = new Map<string, SignedAnnouncement>();
  /** The gossip dials each announcing peer (or mDNS sender) caused lately. */
  readonly #dialRate = new GossipDialRate();
  #directory: PeerDirectory | undefined;
  #mdns: Mdns | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #watch: ReturnType<typeof setInterval> | undefined;
  #addresses = "";
  #lastLocal = "";
  #stunAt = Date.now();

  constructor(identity: Identity, options: ConnectivityOptions) {
    this.#identity = identity;
    this.#options = options;
    this.#own = new OwnAnnouncement(identity, { unlisted: options.unlisted ?? false });
    this.#lan = new OwnAnnouncement(identity);
  }

  /**
   * Asks STUN servers from `port` before the QUIC endpoint binds it: the NAT's mapping for that
   * port is then the public address. Offline, it gives up within ~1.5 s and the node starts anyway.
   */
  async probe(port: number): Promise<void> {
    if (!this.#options.stun) return;
    try {
      const found = await learnPublicAddress(port, this.#stunServers(), { timeoutMs: 1500 });
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
      this.#mdns = startMdns({
        announce: () => this.#lanAnnouncement(),
        onPeer: (found) => {
          if (!found.verified || found.announce === undefined) return;
          void this.#dialHeard(found.announce, `mdns ${found.from.ip}`, found.from.ip, "mdns")
            .catch(() => {});
        },
      });
    }
  }

  /** The NAT type as far as known. */
  get natType(): NatType {
    return this.#natType;
  }

  /** The announce address to give people: the public one when known, else a local one. */
  announceAddress(): string {
    const local = this.#localIp();
    const ip = this.#public?.ip ?? local;
    const port = this.#public?.port ?? this.#port;
    const natType = this.#public
      ? this.#natType
      : local === "127.0.0.1"
      ? "unknown"
      : this.#natType;
    return encodeAnnounceAddress({ publicKey: this.#identity.publicKey, ip, port, natType });
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
  ): Promise<void> {
    const directory = this.#directory;
    if (!directory || this.#options.autoDial === false) return;
    const target = decodeAnnounceAddress(address);
    const key = toHex(target.publicKey);
    if (key === this.#identity.publicKeyHex || directory.isConnected(key)) return;
    if (directory.standing(key) === "blocked") return;
    const refusal = gossipDialRefusal(target.ip, path);
    if (refusal) {
      log.debug("not dialling a peer heard of", { peer: key.slice(0, 8), source, refusal });
      return;
    }
    if (!this.#dialRate.take(announcer)) {
      log.debug("not dialling a peer heard of: its announcer caused enough dials this minute", {
        peer: key.slice(0, 8),
        source,
      });
      return;
    }
    try {
      await directory.connect(address, source, {
        punch: source === "gossip" && directory.trusted(announcer),
      });
    } catch (error) {
      log.debug("could not reach a peer we heard of", {
        peer: key.slice(0, 8),
        source,
        error: messageOf(error),
      });
    }
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
    if (this.#watch !== undefined) clearInterval(this.#watch);
    this.#mdns?.close();
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
    if (!moved && Date.now() - this.#stunAt < 600_000) return;
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
    if (this.#public?.ip === seen.ip && this.#public.port === seen.port) return;
    this.#public = seen;
    if (this.#natType === "unknown") this.#natType = "easy"; // reachable from outside at that mapping
    log.info("a peer sees us at a new public address", { public: `${seen.ip}:${seen.port}` });
    this.#options.onChange?.();
  }

  #localIp(): string {
    if (this.#bound !== "0.0.0.0" && this.#bound !== "::") return this.#bound;
    return localAddresses().find((a) => a.family === "IPv4")?.address ??
      localAddresses()[0]?.address ?? "127.0.0.1";
  }
}

function parseServer(text: string): StunServer {
  const colon = text.lastIndexOf(":");
  return {
    hostname: text.slice(0, colon).replace(/^\[|\]$/g, ""),
    port: Number(text.slice(colon + 1)),
  };
}
