/**
 * The node's peers: one connection per peer (the other is closed when both dial at once),
 * reconnection with backoff and jitter (brought forward when the network seems back), and a state
 * per peer for the API and UI.
 */
import { logger } from "../log.ts";
import { type HdpError, hdpError, messageOf, type Reason, toHdpError } from "../wire/mod.ts";
import type { ConnectionPath } from "./connection_path.ts";
import type { SeenAddress } from "./handshake.ts";
import { displayName, fromHex, toHex } from "./names.ts";
import type { PeerRecord, PeerSource, PeerStore } from "./peer_store.ts";
import { CLOSE, type PeerConnection } from "./quic.ts";
import { DialLimit } from "./dial_limit.ts";
import {
  broughtForward,
  directRetryDelay,
  FORGET_AFTER_MS,
  forgetFirst,
  isKept,
  isProven,
  isTrusted,
  keepFirst,
  logsFailure,
  lostReason,
  MAX_UNPROVEN,
  redialDelay,
  standingOf,
  triesRelay,
} from "./peer_policy.ts";
import {
  type AcceptPolicy,
  afterRequest,
  DEFAULT_ACCEPT,
  MAX_REQUESTS,
  mayConnect,
  type Standing,
} from "./standing.ts";

const log = logger("peers");

/** The connection state of a peer. */
export type PeerStatus = "connecting" | "connected" | "disconnected" | "failed";

/** What the API and UI show of a peer. */
export interface PeerInfo {
  keyHex: string;
  name: string;
  status: PeerStatus;
  /** Why it failed or disconnected: `UNAVAILABLE` unreachable or gone, `UNAUTHORIZED`… */
  problem?: Reason;
  /** The message of `problem` as plain text (kept for scripts that read it). */
  reason?: string;
  /** Where it is (or was last) reached. */
  address?: SeenAddress;
  direction?: "inbound" | "outbound";
  /** Which way the live connection goes (IPv4/IPv6; LAN, direct, mapped, punched, inbound). */
  path?: ConnectionPath;
  source?: PeerSource;
  /** Its standing with this node's owner (see standing.ts). */
  standing: Standing;
  /** When the status last changed, ms since the epoch. */
  since: number;
  /** The next reconnection attempt, ms since the epoch. */
  retryAt?: number;
}

/** How peers are dialed: the transport's dial, narrowed for testing. */
export type Dial = (ip: string, port: number, publicKey: Uint8Array) => Promise<PeerConnection>;

/** Options of {@link Peers}. */
export interface PeersOptions {
  /** Called once per connection that is kept (the one both sides agreed on). */
  onConnection: (connection: PeerConnection) => void;
  /** Called whenever a peer's info changes. */
  onChange?: (peer: PeerInfo) => void;
  /** First reconnection delay; doubles up to `maxBackoffMs`. Default 1 s. */
  backoffMs?: number;
  /** Longest reconnection delay. Default 5 minutes. */
  maxBackoffMs?: number;
  /** Randomness for jitter (tests pass a fixed one). */
  random?: () => number;
  /** A peer dialled this recently is not redialled early. Default 5 s. */
  redialMinGapMs?: number;
  /** Whether downloads wait for this peer: its redials then back off to seconds, not minutes. */
  wanted?: (keyHex: string) => boolean;
  /** Called when a peer is forgotten (an unproven one, see `isProven`). */
  onRemove?: (keyHex: string) => void;
  /** How many unproven peers are remembered. Default {@link MAX_UNPROVEN}. */
  maxUnproven?: number;
  /** How long an unproven peer that went away stays listed. Default {@link FORGET_AFTER_MS}. */
  forgetAfterMs?: number;
  /** How many dials may be in flight. Default 8. */
  maxDials?: number;
  /** Who may connect at all. Default {@link DEFAULT_ACCEPT}. */
  accept?: AcceptPolicy;
  /** Called when the owner or a friend request changed a peer's standing. */
  onStanding?: (keyHex: string, standing: Standing) => void;
  /** The path of a connection its dialler did not label (an inbound one). Default: none shown. */
  pathOf?: (connection: PeerConnection) => ConnectionPath | undefined;
  /**
   * The dial of a restored peer whose record keeps its announce address: every candidate it
   * lists, not just the one that worked last (that IPv6 address may be gone after a move).
   * Undefined, or no answer: the record's address is dialled.
   */
  redialer?: (record: PeerRecord) => (() => Promise<PeerConnection>) | undefined;
  /**
   * Reaches a peer through a relay when no direct path did (`direct` says why, see
   * `triesRelay`); throws why none could. Without it, a peer that cannot be dialled fails.
   */
  relayDial?: (keyHex: string, direct: HdpError) => Promise<PeerConnection>;
  /** The wait before the next direct try of a relayed peer. Default `directRetryDelay`. */
  directRetryMs?: (attempt: number) => number;
}

interface PeerEntry {
  info: PeerInfo;
  /** How to reach this peer, when plain dialling cannot (hole punching). */
  dial?: () => Promise<PeerConnection>;
  connection?: PeerConnection;
  dialing?: Promise<PeerConnection>;
  attempts: number;
  /** Failed dials in a row, for the log. */
  failures: number;
  /** When it was last dialled, ms since the epoch. */
  triedAt: number;
  timer?: ReturnType<typeof setTimeout>;
  /** While relayed: the next try of a direct path, and how many were tried. */
  direct?: ReturnType<typeof setTimeout>;
  directAttempts?: number;
  /** Forgets an unproven peer that went away. */
  forget?: ReturnType<typeof setTimeout>;
  record?: PeerRecord;
}

/** The set of peers of one node. */
export class Peers {
  readonly #ownKeyHex: string;
  readonly #dial: Dial;
  readonly #store: PeerStore;
  readonly #options: PeersOptions;
  readonly #entries = new Map<string, PeerEntry>();
  readonly #dials: DialLimit;
  #closed = false;

  constructor(ownKeyHex: string, dial: Dial, store: PeerStore, options: PeersOptions) {
    this.#ownKeyHex = ownKeyHex;
    this.#dial = dial;
    this.#store = store;
    this.#options = options;
    this.#dials = new DialLimit(options.maxDials);
  }

  /**
   * Reconnects to every remembered peer (in the background). Peers that only ever connected to
   * us, saved by older versions, are forgotten: nothing says they are worth a dial.
   */
  async restore(): Promise<void> {
    for (const record of await this.#store.all()) {
      const wanted = this.#wanted(record.keyHex);
      if (!isKept(record, wanted)) {
        await this.#store.remove(record.keyHex);
        continue;
      }
      const entry = this.#entry(record.keyHex);
      entry.record = record;
      entry.info.source = record.source;
      entry.info.address = record.address;
      entry.info.standing = standingOf(record);
      const dial = record.announce ? this.#redialer(record) : undefined;
      if (dial) entry.dial = dial;
      if (isProven(record, wanted)) void this.#connect(entry).catch(() => {});
    }
  }

  #redialer(record: PeerRecord): (() => Promise<PeerConnection>) | undefined {
    try {
      return this.#options.redialer?.(record);
    } catch (error) {
      // an address saved by an older version, or damaged on disk: the plain dial still works
      log.debug("a saved announce address cannot be dialled", { error: messageOf(error) });
      return undefined;
    }
  }

  /**
   * Connects to a peer at `address` (or returns the live connection), and remembers it so the
   * connection comes back after restarts. Throws the dial's coded error.
   */
  async connect(
    publicKey: Uint8Array,
    address: SeenAddress,
    options: { source?: PeerSource; announce?: string; dial?: () => Promise<PeerConnection> } = {},
  ): Promise<PeerInfo> {
    const keyHex = toHex(publicKey);
    if (keyHex === this.#ownKeyHex) {
      throw toHdpError(new Error("That is this node's own address"), "BAD_REQUEST");
    }
    const byHand = (options.source ?? "manual") === "manual";
    const before = this.#entries.get(keyHex)?.record;
    if (before && standingOf(before) === "blocked" && !byHand) {
      throw hdpError("FORBIDDEN", "This node's owner blocked that peer");
    }
    const entry = this.#entry(keyHex);
    // added by hand it stays so, whoever passes its address on later
    const source = before?.source === "manual" ? "manual" : options.source ?? "manual";
    const record: PeerRecord = {
      keyHex,
      address,
      source,
      lastSeen: before?.lastSeen ?? 0,
      ...(options.announce ? { announce: options.announce } : {}),
      ...(before?.useful ? { useful: true } : {}),
      ...(before?.standing ? { standing: before.standing } : {}),
    };
    // the owner pasting its address makes it a friend (and lifts a block: the owner asked)
    if (byHand) record.standing = "friend";
    entry.record = record;
    entry.info.address = address;
    entry.info.source = record.source;
    this.#restand(entry);
    if (options.dial) entry.dial = options.dial; // a hole-punching procedure for this peer
    // one heard of is saved once it has been reached (see isProven)
    if (this.#kept(entry)) await this.#store.put(record);
    if (entry.connection && !entry.connection.isClosed) return { ...entry.info };
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.attempts = 0;
    await this.#connect(entry, false, source === "manual");
    return { ...entry.info };
  }

  /**
   * This node's owner used the peer (browsed, read or downloaded from it): it is kept and
   * redialled from now on, even if it only ever connected to us.
   */
  markUseful(keyHex: string): void {
    const entry = this.#entries.get(keyHex);
    if (!entry?.record || entry.record.useful) return;
    entry.record.useful = true;
    if (entry.forget !== undefined) clearTimeout(entry.forget);
    delete entry.forget;
    this.#store.put(entry.record).catch((error) =>
      log.warn("cannot save a peer", { error: messageOf(error) })
    );
  }

  /** Takes an authenticated inbound connection. */
  accept(connection: PeerConnection): void {
    if (!this.admits(connection.peerKeyHex)) { // its standing changed since its handshake
      log.debug("refused a connection", { peer: displayName(connection.peerKey) });
      connection.close(CLOSE.REFUSED, "not accepted");
      return;
    }
    const entry = this.#entry(connection.peerKeyHex);
    if (!entry.record) {
      // Remember where it came from: dialing back there works when its NAT allows.
      entry.record = {
        keyHex: connection.peerKeyHex,
        address: connection.remote,
        source: "inbound",
        lastSeen: 0,
      };
      entry.info.source = "inbound";
    }
    this.#adopt(entry, connection);
  }

  /** The announce address a peer came with, if any. */
  announceOf(keyHex: string): string | undefined {
    return this.#entries.get(keyHex)?.record?.announce;
  }

  /** Whether this node's owner added the peer or used it (see {@link markUseful}). */
  trusted(keyHex: string): boolean {
    const record = this.#entries.get(keyHex)?.record;
    return record !== undefined && isTrusted(record);
  }

  /** Whether a peer that proved its key may connect (`--accept`, blocks); see `mayConnect`. */
  admits(keyHex: string): boolean {
    const known = this.#entries.get(keyHex)?.record;
    return mayConnect(known && standingOf(known), this.#options.accept ?? DEFAULT_ACCEPT);
  }

  /** A peer's standing; `known` for one not in the table. */
  standing(keyHex: string): Standing {
    const record = this.#entries.get(keyHex)?.record;
    return record ? standingOf(record) : "known";
  }

  /**
   * The owner sets a peer's standing: `friend` (accepting its request, or befriending it),
   * `known` (refusing its request, or unfriending it) or `blocked` (its connection is closed, it is
   * refused and never dialled from now on). Throws `NOT_FOUND` for a peer not in the table.
   */
  setStanding(keyHex: string, standing: "friend" | "known" | "blocked"): PeerInfo {
    const entry = this.#entries.get(keyHex);
    if (!entry?.record) throw hdpError("NOT_FOUND", "No such peer");
    const record = entry.record;
    if (standing === "known" && standingOf(record) === "requested") record.declined = true;
    if (standing !== "known") delete record.declined;
    delete record.requestedAt;
    record.standing = standing;
    this.#changedStanding(entry);
    if (standing === "blocked") {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      delete entry.timer;
      delete entry.info.retryAt;
      const connection = entry.connection;
      delete entry.connection;
      delete entry.info.path;
      connection?.close(CLOSE.REFUSED, "blocked");
      this.#set(entry, "disconnected", {
        code: "FORBIDDEN",
        message: "blocked by this node's owner",
      });
    } else if (standing === "friend" && !entry.connection && entry.timer === undefined) {
      this.#scheduleRetry(entry); // a friend is worth a dial
    }
    return { ...entry.info };
  }

  /**
   * The owner forgets a peer: its record is deleted, its connection closed and it is not dialled
   * again (its standing goes too: it may connect again as a stranger, as `--accept` allows).
   * Throws `NOT_FOUND` for a peer not in the table.
   */
  async forget(keyHex: string): Promise<PeerInfo> {
    const entry = this.#entries.get(keyHex);
    if (!entry) throw hdpError("NOT_FOUND", "No such peer");
    const info = { ...entry.info };
    const connection = entry.connection;
    delete entry.record; // a dial under way finds nothing to retry
    this.#remove(entry);
    connection?.close(CLOSE.NORMAL, "forgotten by this node's owner");
    await this.#store.remove(keyHex);
    log.info("forgot a peer", { peer: info.name });
    return info;
  }

  /**
   * A connected peer asks to be a friend (it dialled this node's announce address): a known peer
   * becomes `requested`, unless the owner declined it before. At most {@link MAX_REQUESTS} wait;
   * past that the oldest lapses back to known.
   */
  requested(keyHex: string): void {
    const entry = this.#entries.get(keyHex);
    const record = entry?.record;
    if (!entry || !record) return;
    const standing = afterRequest(standingOf(record), record.declined === true);
    if (standing === standingOf(record)) return;
    record.standing = standing;
    record.requestedAt = Date.now();
    log.info("a peer asks to be a friend", { peer: entry.info.name });
    this.#changedStanding(entry);
    const waiting = [...this.#entries.values()]
      .filter((e) => e.record && standingOf(e.record) === "requested")
      .sort((a, b) => (a.record!.requestedAt ?? 0) - (b.record!.requestedAt ?? 0));
    for (const lapsed of waiting.slice(0, Math.max(0, waiting.length - MAX_REQUESTS))) {
      delete lapsed.record!.standing;
      delete lapsed.record!.requestedAt;
      this.#changedStanding(lapsed);
    }
  }

  /** The live connection to a peer, if any. */
  connection(keyHex: string): PeerConnection | undefined {
    const connection = this.#entries.get(keyHex)?.connection;
    return connection && !connection.isClosed ? connection : undefined;
  }

  /** Every live connection, one per connected peer. */
  connections(): PeerConnection[] {
    return [...this.#entries.values()].map((e) => e.connection)
      .filter((c): c is PeerConnection => c !== undefined && !c.isClosed);
  }

  /** Every known peer. */
  list(): PeerInfo[] {
    return [...this.#entries.values()].map((e) => ({ ...e.info }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The network may be back (a local address changed, a peer connected): pending redials are
   * brought forward, spread over a moment (see `broughtForward`).
   */
  redialSoon(): void {
    const now = Date.now();
    for (const entry of this.#entries.values()) {
      if (entry.timer === undefined || entry.info.retryAt === undefined) continue;
      const pending = { retryAt: entry.info.retryAt, triedAt: entry.triedAt };
      const delay = broughtForward(pending, now, {
        random: this.#options.random ?? Math.random,
        ...(this.#options.redialMinGapMs !== undefined
          ? { minGapMs: this.#options.redialMinGapMs }
          : {}),
      });
      if (delay === undefined) continue;
      clearTimeout(entry.timer);
      delete entry.timer;
      this.#arm(entry, delay);
    }
  }

  /** Closes every connection; no more reconnections. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      if (entry.forget !== undefined) clearTimeout(entry.forget);
      if (entry.direct !== undefined) clearTimeout(entry.direct);
      entry.connection?.close(CLOSE.SHUTDOWN, "shutting down");
    }
  }

  #entry(keyHex: string): PeerEntry {
    let entry = this.#entries.get(keyHex);
    if (!entry) {
      const key = fromHex(keyHex)!;
      entry = {
        info: {
          keyHex,
          name: displayName(key),
          status: "disconnected",
          standing: "known",
          since: Date.now(),
        },
        attempts: 0,
        failures: 0,
        triedAt: 0,
      };
      this.#entries.set(keyHex, entry);
    }
    return entry;
  }

  #set(entry: PeerEntry, status: PeerStatus, problem?: Reason): void {
    entry.info.status = status;
    entry.info.since = Date.now();
    if (problem === undefined) {
      delete entry.info.problem;
      delete entry.info.reason;
    } else {
      entry.info.problem = problem;
      entry.info.reason = problem.message;
    }
    if (status !== "disconnected" && status !== "failed") delete entry.info.retryAt;
    this.#options.onChange?.({ ...entry.info });
  }

  /**
   * Dials a peer. A redial of a peer that went away (`quiet`) leaves it "disconnected", with the
   * reason it went: it is away until it answers, and a card flipping to "connecting" every few
   * seconds would say otherwise.
   */
  async #connect(entry: PeerEntry, quiet = false, urgent = false): Promise<void> {
    if (this.#closed || !entry.record || standingOf(entry.record) === "blocked") return;
    if (entry.dialing) {
      await entry.dialing;
      return;
    }
    const { address } = entry.record;
    const away = quiet && entry.info.status === "disconnected";
    if (!away) this.#set(entry, "connecting");
    entry.triedAt = Date.now();
    entry.dialing = this.#dials.run(
      () => this.#dialDirect(entry, address).catch((error) => this.#viaRelay(entry, error)),
      urgent,
    );
    try {
      const connection = await entry.dialing;
      if (this.#entries.get(entry.info.keyHex) !== entry) { // forgotten while it dialled
        connection.close(CLOSE.NORMAL, "forgotten by this node's owner");
        return;
      }
      this.#adopt(entry, connection);
    } catch (error) {
      const coded = toHdpError(error, "UNAVAILABLE");
      if (this.#entries.get(entry.info.keyHex) !== entry) throw coded; // forgotten: no news
      // Another path may have connected meanwhile (the peer dialed us): that is no failure.
      if (entry.connection && !entry.connection.isClosed) return;
      if (away) {
        this.#scheduleRetry(entry, coded);
        this.#options.onChange?.({ ...entry.info }); // its next try
      } else {
        this.#set(entry, "failed", coded.toJSON());
        this.#scheduleRetry(entry, coded);
      }
      if (logsFailure(++entry.failures)) {
        const retry = entry.info.retryAt;
        log.info("cannot reach a peer", {
          peer: entry.info.name,
          reason: `${coded.message} [${coded.code}]`,
          failures: entry.failures,
          retryIn: retry === undefined ? "never" : `${Math.round((retry - Date.now()) / 1000)} s`,
        });
      }
      throw coded;
    } finally {
      delete entry.dialing;
    }
  }

  #dialDirect(entry: PeerEntry, address: SeenAddress): Promise<PeerConnection> {
    return entry.dial
      ? entry.dial()
      : this.#dial(address.ip, address.port, fromHex(entry.info.keyHex)!);
  }

  /** After a direct dial failed with `error`: a relay, where one may help; else `error`. */
  async #viaRelay(entry: PeerEntry, error: unknown): Promise<PeerConnection> {
    const direct = toHdpError(error, "UNAVAILABLE");
    const relayDial = this.#options.relayDial;
    if (!relayDial || !triesRelay(direct) || this.#closed) throw direct;
    // the peer dialled us meanwhile (crossing dials: one of the two is closed): no relay needed
    if (entry.connection && !entry.connection.isClosed) throw direct;
    return await relayDial(entry.info.keyHex, direct);
  }

  /**
   * While a peer is reached through a relay, a direct path is tried now and then (30 s, doubling
   * to 5 min); one that works replaces the relayed connection (see `keepFirst`), whose transfers
   * under way finish first.
   */
  #armDirect(entry: PeerEntry): void {
    if (entry.direct !== undefined || this.#closed) return;
    // one that reached us through a relay, and was never dialled: its address is the relay's, so
    // the side that dialled it tries the direct path (its connection then replaces this one)
    if (entry.record?.source === "inbound" && !entry.record.announce) return;
    const attempt = entry.directAttempts ?? 0;
    entry.directAttempts = attempt + 1;
    entry.direct = setTimeout(async () => {
      delete entry.direct;
      const relayed = entry.connection;
      if (!entry.record || relayed?.path?.via !== "relayed" || relayed.isClosed) return;
      try {
        const connection = await this.#dials.run(() =>
          this.#dialDirect(entry, entry.record!.address)
        );
        if (this.#entries.get(entry.info.keyHex) !== entry) {
          connection.close(CLOSE.NORMAL, "forgotten by this node's owner");
          return;
        }
        log.info("a relayed peer is now reached directly", { peer: entry.info.name });
        this.#adopt(entry, connection);
      } catch (error) {
        log.debug("still no direct path to a relayed peer", {
          peer: entry.info.name,
          error: messageOf(error),
        });
        if (entry.connection === relayed) this.#armDirect(entry);
      }
    }, this.#options.directRetryMs?.(attempt) ?? directRetryDelay(attempt, this.#options.random));
  }

  #adopt(entry: PeerEntry, connection: PeerConnection): void {
    const current = entry.connection;
    if (current && !current.isClosed && current !== connection) {
      // Both sides keep the same one; the other is retired once its transfers are done (a late
      // duplicate, from a dial whose first packet a NAT dropped, must not break them).
      if (keepFirst(current, connection, this.#ownKeyHex)) {
        this.#options.onConnection(connection); // serve what the peer sends on it meanwhile
        connection.closeWhenIdle(CLOSE.DUPLICATE, "duplicate connection");
        return;
      }
      current.closeWhenIdle(CLOSE.DUPLICATE, "duplicate connection");
    }
    entry.connection = connection;
    entry.attempts = 0;
    entry.failures = 0;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    delete entry.timer;
    const relayed = connection.path?.via === "relayed";
    if (entry.direct !== undefined) clearTimeout(entry.direct);
    delete entry.direct;
    if (relayed) this.#armDirect(entry);
    else delete entry.directAttempts;
    entry.info.direction = connection.direction;
    // a dial that chose among candidates redials the one that worked first, after a restart too
    // (a relayed one is no address of the peer: the relay's)
    if (connection.direction === "outbound" && connection.path && entry.record && !relayed) {
      entry.record.address = connection.remote;
    }
    entry.info.address = connection.direction === "outbound"
      ? entry.record?.address ?? connection.remote
      : connection.remote;
    const path = connection.path ?? this.#options.pathOf?.(connection);
    if (path) entry.info.path = path;
    else delete entry.info.path;
    this.#set(entry, "connected");
    if (entry.forget !== undefined) clearTimeout(entry.forget);
    delete entry.forget;
    if (entry.record) {
      entry.record.lastSeen = Date.now();
      if (this.#kept(entry)) {
        this.#store.put(entry.record).catch((error) =>
          log.warn("cannot save a peer", { error: messageOf(error) })
        );
      }
    }
    // strangers come and go by the hundred on a public node: news only for peers worth keeping
    log[this.#kept(entry) ? "info" : "debug"]("connected", {
      peer: entry.info.name,
      direction: connection.direction,
      via: `${connection.remote.ip}:${connection.remote.port}`,
    });
    this.#options.onConnection(connection);
    void connection.closed.then(({ code, reason }) => this.#lost(entry, connection, code, reason));
    if (!this.#kept(entry)) this.#bound(entry);
    this.redialSoon(); // a peer got through: the network is up, the others may be reachable again
  }

  #lost(entry: PeerEntry, connection: PeerConnection, code: number, reason: string): void {
    if (entry.connection !== connection || this.#closed) return; // a duplicate, or shutting down
    delete entry.connection;
    if (entry.direct !== undefined) clearTimeout(entry.direct);
    delete entry.direct;
    delete entry.info.path;
    const why = lostReason(code, reason);
    log[this.#kept(entry) ? "info" : "debug"]("disconnected", {
      peer: entry.info.name,
      reason: why,
    });
    this.#set(entry, "disconnected", { code: "UNAVAILABLE", message: why });
    if (this.#entries.get(entry.info.keyHex) === entry) this.#scheduleRetry(entry);
  }

  #wanted(keyHex: string): boolean {
    return this.#options.wanted?.(keyHex) ?? false;
  }

  #proven(entry: PeerEntry): boolean {
    return entry.record !== undefined && isProven(entry.record, this.#wanted(entry.info.keyHex));
  }

  #kept(entry: PeerEntry): boolean {
    return entry.record !== undefined && isKept(entry.record, this.#wanted(entry.info.keyHex));
  }

  #restand(entry: PeerEntry): void {
    entry.info.standing = entry.record ? standingOf(entry.record) : "known";
  }

  /** A standing changed: shown, saved, and told to the node. */
  #changedStanding(entry: PeerEntry): void {
    this.#restand(entry);
    if (entry.forget !== undefined && this.#kept(entry)) {
      clearTimeout(entry.forget);
      delete entry.forget;
    }
    const record = entry.record!;
    const save = this.#kept(entry) ? this.#store.put(record) : this.#store.remove(record.keyHex);
    save.catch((error) => log.warn("cannot save a peer", { error: messageOf(error) }));
    this.#options.onChange?.({ ...entry.info });
    this.#options.onStanding?.(entry.info.keyHex, entry.info.standing);
    if (!this.#kept(entry) && !entry.connection) this.#forgetLater(entry);
  }

  /** An unproven peer that is away is forgotten after a while (it is never redialled). */
  #forgetLater(entry: PeerEntry): void {
    if (entry.forget !== undefined) return;
    entry.forget = setTimeout(() => {
      delete entry.forget;
      if (entry.connection && !entry.connection.isClosed) return;
      if (entry.dialing || this.#kept(entry)) return;
      this.#remove(entry);
    }, this.#options.forgetAfterMs ?? FORGET_AFTER_MS);
  }

  /**
   * Keeps the unproven peers within their number: the oldest away ones go first. `keep` (the one
   * that just connected or failed) stays.
   */
  #bound(keep: PeerEntry): void {
    const unproven = [...this.#entries.values()]
      .filter((e) => e !== keep && !this.#kept(e) && !e.dialing)
      .map((e) => ({ entry: e, connected: e.connection !== undefined, since: e.info.since }));
    const max = (this.#options.maxUnproven ?? MAX_UNPROVEN) - 1; // and `keep`
    for (const { entry } of forgetFirst(unproven, max)) {
      const connection = entry.connection;
      this.#remove(entry);
      connection?.closeWhenIdle(CLOSE.CROWDED, "too many peers this node does not know");
    }
  }

  #remove(entry: PeerEntry): void {
    if (this.#entries.get(entry.info.keyHex) !== entry) return;
    this.#entries.delete(entry.info.keyHex);
    delete entry.connection; // its close is no news now
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (entry.direct !== undefined) clearTimeout(entry.direct);
    if (entry.forget !== undefined) clearTimeout(entry.forget);
    log.debug("forgot a peer", { peer: entry.info.name });
    this.#options.onRemove?.(entry.info.keyHex);
  }

  #scheduleRetry(entry: PeerEntry, error?: HdpError): void {
    if (this.#closed || !entry.record || entry.timer !== undefined) return;
    if (!this.#proven(entry)) {
      if (this.#kept(entry)) return; // blocked, or a request: shown, never dialled
      this.#forgetLater(entry); // nobody asked for it: not worth a dial
      this.#bound(entry);
      return;
    }
    if (error?.code === "UNAUTHORIZED" && entry.attempts > 3) return; // another node owns that address now
    const delay = redialDelay(entry.attempts++, {
      baseMs: this.#options.backoffMs ?? 1000,
      maxMs: this.#options.maxBackoffMs ?? 300_000,
      random: this.#options.random ?? Math.random,
      wanted: this.#options.wanted?.(entry.info.keyHex) ?? false,
    });
    this.#arm(entry, delay);
  }

  #arm(entry: PeerEntry, delay: number): void {
    entry.info.retryAt = Date.now() + delay;
    entry.timer = setTimeout(() => {
      delete entry.timer;
      this.#connect(entry, true).catch(() => {});
    }, delay);
  }
}
