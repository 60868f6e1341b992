/**
 * The composition root of a running node: storage, identity, shares, the QUIC transport and its
 * peers, and the request handlers. The API and the CLI talk to a node only through {@link HdpNode}.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { decodeAnnounceAddress } from "../discovery/announce_address.ts";
import { localAddresses } from "../discovery/local_addresses.ts";
import type { NatType } from "../discovery/nat_type.ts";
import { announceCall, lsCall, readCall, readManyCall, type ReadStream } from "../rpc/calls.ts";
import { Connectivity } from "../discovery/connectivity.ts";
import { probe, spray } from "../discovery/birthday.ts";
import { type Handlers, serveConnection, SMALL_READ } from "../rpc/serve.ts";
import { Downloads, type PeerAccess } from "../downloads/downloads.ts";
import type { DownloadItem, HistoryEntry, UploadInfo } from "../downloads/types.ts";
import { History } from "../downloads/history.ts";
import { UploadSlots } from "../downloads/upload_slots.ts";
import { Uploads } from "../downloads/uploads.ts";
import type { LsPage, LsQuery } from "../shares/query.ts";
import { type ShareInfo, Shares } from "../shares/shares.ts";
import { type Identity, loadOrCreateIdentity } from "../transport/identity.ts";
import { displayName } from "../transport/names.ts";
import { PeerStore } from "../transport/peer_store.ts";
import { type PeerInfo, Peers } from "../transport/peers.ts";
import { type PeerConnection, QuicTransport } from "../transport/quic.ts";
import { pickUdpPort } from "../transport/udp_port.ts";
import { hdpError, messageOf } from "../wire/errors.ts";
import { formatHostPort, type NodeConfig } from "./config.ts";
import { EventBus } from "./events.ts";
import { findPeer } from "./peer_lookup.ts";
import { readSettings, type Settings, type ShareSetting, writeSettings } from "./settings.ts";
import { VERSION } from "./version.ts";

const log = logger("node");

/** The KV database file in the storage dir. */
export const KV_FILE = "state.kv";

/** What `info` shows about a node. */
export interface NodeInfo {
  name: string;
  publicKey: string;
  announceAddress: string;
  natType: NatType;
  /** `IP:PORT` of every local address the QUIC endpoint listens on. */
  listening: string[];
  port: number;
  shares: ShareSetting[];
  downloadDir: string;
  storageDir: string;
  uiAddress: string;
  version: string;
}

/**
 * Changes to the engine's permission scope, which only the supervisor can make: after one, the
 * node stops with the reason {@link RESTART} and the supervisor starts it again.
 */
export interface ScopeControl {
  addShare(path: string): Promise<ShareSetting>;
  removeShare(name: string): Promise<ShareSetting>;
}

/** The stop reason that asks the supervisor for a restart with a new scope. */
export const RESTART = "restart with a new permission scope";

/** The actions on a download. */
export type DownloadAction = "pause" | "resume" | "cancel" | "retry" | "front";

/** A page of a peer's listing, with the peer it came from. */
export interface PeerLsPage extends LsPage {
  peer: { keyHex: string; name: string };
}

/** A running node, as seen by the API. */
export interface HdpNode {
  readonly events: EventBus;
  info(): NodeInfo;
  shares(): Promise<ShareInfo[]>;
  /** Adds a share; the engine restarts with the new scope right after. */
  addShare(path: string): Promise<ShareSetting>;
  /** Removes a share; the engine restarts with the narrower scope right after. */
  removeShare(name: string): Promise<ShareSetting>;
  /** Queries this node's own index. */
  ls(query: LsQuery): Promise<LsPage>;
  /** Connects to the peer an announce address describes. */
  connect(announceAddress: string): Promise<PeerInfo>;
  peers(): PeerInfo[];
  /** One page of a peer's listing or search; the peer is a name, key or key prefix. */
  peerLs(peer: string, query: LsQuery): Promise<PeerLsPage>;
  /** Starts reading a file of a peer. */
  peerRead(
    peer: string,
    request: { path: string; start?: number; end?: number },
  ): Promise<ReadStream>;
  /** Queues a file or folder of a peer (a name, key or key prefix; it may be away now). */
  download(peer: string, path: string): Promise<DownloadItem>;
  downloads(): DownloadItem[];
  downloadAction(id: string, action: DownloadAction): Promise<DownloadItem>;
  uploads(): UploadInfo[];
  history(): Promise<HistoryEntry[]>;
  /** Asks the node to stop; {@link stopRequested} resolves and the owner closes it. */
  requestStop(reason: string): void;
  /** Resolves with the reason once somebody asked the node to stop. */
  readonly stopRequested: Promise<string>;
  /** Releases everything the node holds; idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** How shares are added and removed; without it (tests) the node cannot change them. */
  scope?: ScopeControl;
  /** Watch shares for changes. Default true. */
  watch?: boolean;
  /** The address the QUIC endpoint binds. Default `0.0.0.0`. */
  hostname?: string;
}

/** Starts a node from its configuration. */
export async function startNode(config: NodeConfig, options: NodeOptions = {}): Promise<HdpNode> {
  const identity = await loadOrCreateIdentity(config.storageDir);
  const settings = await readSettings(config.storageDir);
  const port = await resolvePort(config, settings);
  const kv = await Deno.openKv(join(config.storageDir, KV_FILE));
  const events = new EventBus();
  const closers: Array<() => void | Promise<void>> = [() => kv.close()];
  try {
    const shares = await Shares.open(kv, settings.shares, {
      watch: options.watch ?? true,
      onChange: (share) => events.emit({ type: "share", share }),
    });
    closers.unshift(() => shares.close());
    const uploadSlots = new UploadSlots(config.uploadSlots);
    const history = new History(kv);
    closers.unshift(() => history.flush()); // after the downloads and uploads have added theirs
    const uploads = new Uploads({
      smallBytes: SMALL_READ,
      history,
      onChange: (upload) => events.emit({ type: "upload", upload }),
      onDone: (id) => events.emit({ type: "upload-done", id }),
    });
    closers.unshift(() => uploads.close());
    const handlers: Handlers = {
      ls: (query) => shares.pages(query),
      openFile: (path) => shares.openFile(path),
      announce: (from, request) => connectivity.announced(from.keyHex, request),
      uploadSlot: (from, onPosition, signal) =>
        uploadSlots.acquire(from.keyHex, onPosition, signal),
      onUpload: (from, path, bytes) => uploads.track(from, path, bytes),
    };
    const serve = (connection: PeerConnection) => {
      const requester = { keyHex: connection.peerKeyHex, name: displayName(connection.peerKey) };
      void serveConnection(connection, requester, handlers);
      connectivity.connected(connection).catch((error) => {
        log.debug("gossip to a new peer failed", { error: messageOf(error) });
      });
    };
    // The transport, the peers and the downloads need each other; closures run after all exist.
    const peers: Peers = new Peers(
      identity.publicKeyHex,
      (ip, p, key) => transport.dial(ip, p, key),
      new PeerStore(kv),
      {
        onConnection: serve,
        onChange: (peer) => {
          events.emit({ type: "peer", peer });
          if (peer.status === "connected") void downloads.pump();
        },
      },
    );
    await Deno.mkdir(config.downloadDir, { recursive: true });
    const downloads = await Downloads.open(kv, peerAccess(peers), {
      downloadDir: await Deno.realPath(config.downloadDir),
      history,
      perPeer: config.downloadsPerPeer,
      global: config.maxDownloads,
      onChange: (item) => events.emit({ type: "download", item }),
      onRemoved: (id) => events.emit({ type: "download-removed", id }),
    });
    closers.unshift(async () => {
      uploads.close(); // its last runs of small uploads go into the history
      await downloads.close();
    });
    const connectivity = new Connectivity(identity, {
      stun: config.stun,
      stunServers: config.stunServers,
      mdns: config.mdns,
      onChange: () => events.emit({ type: "info" }),
    });
    closers.unshift(() => connectivity.close());
    if (port !== 0) await connectivity.probe(port); // before the endpoint takes the port
    const transport = await QuicTransport.open(identity, {
      hostname: options.hostname ?? "0.0.0.0",
      port,
      onConnection: (connection) => peers.accept(connection),
    });
    closers.unshift(() => transport.close());
    closers.unshift(() => peers.close());
    connectivity.start({ hostname: transport.hostname, port: transport.port }, {
      isConnected: (key) => peers.connection(key) !== undefined,
      connect: (key, address, source, announce) => {
        // a peer heard of by gossip may need the birthday paradox as much as a pasted one
        const dial = punch(connectivity.natType, decodeAnnounceAddress(announce), transport);
        return peers.connect(key, address, { source, announce, ...(dial ? { dial } : {}) });
      },
      connections: () => peers.connections(),
      send: (connection, signed) => announceCall(connection, signed),
    });
    await peers.restore();
    return assemble({
      identity,
      config,
      connectivity,
      transport,
      settings,
      shares,
      peers,
      downloads,
      uploads,
      history,
      events,
      closers,
      scope: options.scope,
    });
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
}

interface Parts {
  identity: Identity;
  config: NodeConfig;
  connectivity: Connectivity;
  transport: QuicTransport;
  settings: Settings;
  shares: Shares;
  peers: Peers;
  downloads: Downloads;
  uploads: Uploads;
  history: History;
  events: EventBus;
  closers: Array<() => void | Promise<void>>;
  scope: ScopeControl | undefined;
}

function assemble(parts: Parts): HdpNode {
  const {
    identity,
    config,
    connectivity,
    transport,
    settings,
    shares,
    peers,
    downloads,
    uploads,
    history,
    events,
    closers,
    scope,
  } = parts;
  let closed: Promise<void> | undefined;
  const stop = Promise.withResolvers<string>();
  const requestStop = (reason: string) => {
    events.emit({ type: "stopping", reason });
    stop.resolve(reason);
  };
  const changeScope = async (change: (scope: ScopeControl) => Promise<ShareSetting>) => {
    if (!scope) throw hdpError("UNAVAILABLE", "This node cannot change its shares");
    const share = await change(scope);
    events.emit({ type: "shares" });
    setTimeout(() => requestStop(RESTART), 0); // answer the caller first
    return share;
  };
  const self = () => ({ keyHex: identity.publicKeyHex, name: identity.name });
  const connectedPeer = (text: string) => {
    const peer = findPeer([...peers.list(), self()], text);
    if (peer.keyHex === identity.publicKeyHex) return { peer, connection: undefined };
    const connection = peers.connection(peer.keyHex);
    if (!connection) {
      throw hdpError(
        "UNAVAILABLE",
        `${peer.name} is not connected${"status" in peer ? ` (${peer.status})` : ""}`,
      );
    }
    return { peer, connection };
  };
  log.info("node started", {
    name: identity.name,
    port: transport.port,
    shares: settings.shares.length,
  });

  return {
    events,
    info: () => nodeInfo(identity, config, { port: transport.port, connectivity }, settings.shares),
    shares: () => shares.list(),
    addShare: (path) => changeScope((s) => s.addShare(path)),
    removeShare: (name) => changeScope((s) => s.removeShare(name)),
    ls: (query) => firstNonEmpty(query, (q) => shares.query(q)),
    async connect(text) {
      const address = decodeAnnounceAddress(text);
      const why = connectivity.unreachable(address.natType);
      if (why) throw hdpError("UNAVAILABLE", why);
      const dial = punch(connectivity.natType, address, transport);
      return await peers.connect(address.publicKey, { ip: address.ip, port: address.port }, {
        source: "manual",
        announce: text.replace(/\s+/g, ""),
        ...(dial ? { dial } : {}),
      });
    },
    peers: () => peers.list(),
    async peerLs(text, query) {
      const { peer, connection } = connectedPeer(text);
      const tag = { keyHex: peer.keyHex, name: peer.name };
      if (!connection) {
        return { ...(await firstNonEmpty(query, (q) => shares.query(q))), peer: tag };
      }
      const calls = lsCall(connection, {
        path: query.path,
        recursive: query.recursive ?? false,
        ...(query.searchTerm !== undefined ? { searchTerm: query.searchTerm } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
      try {
        // A search's pages may come empty while the peer scans on: wait for one with entries.
        for (;;) {
          const next = await calls.next();
          if (next.done) {
            const { partial, totals } = next.value;
            return { entries: [], partial, peer: tag, ...(totals ? { totals } : {}) };
          }
          const { entries, partial, cursor, totals } = next.value;
          if (entries.length === 0 && cursor) continue;
          const page: PeerLsPage = { entries, partial, peer: tag };
          if (cursor) page.cursor = cursor;
          if (totals) page.totals = totals;
          return page;
        }
      } finally {
        await calls.return({ partial: false }); // one page is enough: stop the peer's stream
      }
    },
    async peerRead(text, request) {
      const { peer, connection } = connectedPeer(text);
      if (!connection) {
        throw hdpError("BAD_REQUEST", `${peer.name} is this node: read the file from disk`);
      }
      return await readCall(connection, request);
    },
    async download(text, path) {
      const peer = findPeer(peers.list(), text);
      return await downloads.add({ keyHex: peer.keyHex, name: peer.name }, path);
    },
    downloads: () => downloads.list(),
    downloadAction: (id, action) => downloads.action(id, action),
    uploads: () => uploads.list(),
    history: () => history.list(),
    requestStop,
    stopRequested: stop.promise,
    close: () => {
      closed ??= (async () => {
        for (const close of closers) await close();
        log.info("node stopped");
      })();
      return closed;
    },
  };
}

/** The first page with entries (a search's pages may come empty while it scans), or the last. */
async function firstNonEmpty(
  query: LsQuery,
  page: (query: LsQuery) => Promise<LsPage>,
): Promise<LsPage> {
  for (let next = await page(query);; next = await page({ ...query, cursor: next.cursor! })) {
    if (next.entries.length > 0 || !next.cursor) return next;
  }
}

/**
 * How to reach a peer when plain dialling cannot: between an easy and a hard (symmetric) NAT, by
 * the birthday paradox (see discovery/birthday.ts). Undefined: dial as usual.
 */
function punch(
  mine: NatType,
  theirs: { natType: NatType; ip: string; port: number; publicKey: Uint8Array },
  transport: QuicTransport,
): (() => Promise<PeerConnection>) | undefined {
  if (mine === "hard" && theirs.natType === "easy") {
    return async () => {
      const port = await spray({ ip: theirs.ip, port: theirs.port });
      return await transport.secondary(port).dial(theirs.ip, theirs.port, theirs.publicKey);
    };
  }
  if (mine === "easy" && theirs.natType === "hard") {
    return () =>
      probe((port) => transport.dial(theirs.ip, port, theirs.publicKey, 4000, { probe: true }));
  }
  return undefined;
}

/** How the downloads reach peers: through their live connections. */
function peerAccess(peers: Peers): PeerAccess {
  const connection = (keyHex: string) => {
    const live = peers.connection(keyHex);
    if (!live) throw hdpError("UNAVAILABLE", "The peer is not connected");
    return live;
  };
  return {
    isConnected: (keyHex) => peers.connection(keyHex) !== undefined,
    async *list(keyHex, path, cursor) {
      // pages of 500: each is stored with its files in one commit, and fetched from at once
      const args = { path, recursive: true, limit: 500, ...(cursor ? { cursor } : {}) };
      for await (const page of lsCall(connection(keyHex), args)) {
        yield page.cursor
          ? { entries: page.entries, cursor: page.cursor }
          : { entries: page.entries };
      }
    },
    read: (keyHex, path, start, onQueued) =>
      readCall(connection(keyHex), { path, start }, { onQueued }),
    readMany: (keyHex, paths) => readManyCall(connection(keyHex), paths),
  };
}

async function resolvePort(config: NodeConfig, settings: Settings): Promise<number> {
  if (config.port !== undefined) return config.port; // 0: the OS picks, not remembered (tests)
  if (settings.port !== undefined) return settings.port;
  const port = pickUdpPort();
  await writeSettings(config.storageDir, { ...settings, port });
  log.info("picked a UDP port; it is remembered for next time", { port });
  return port;
}

function nodeInfo(
  identity: Identity,
  config: NodeConfig,
  { port, connectivity }: { port: number; connectivity: Connectivity },
  shares: ShareSetting[],
): NodeInfo {
  const addresses = localAddresses().map((a) => a.address);
  const natType = connectivity.natType;
  return {
    name: identity.name,
    publicKey: identity.publicKeyHex,
    announceAddress: connectivity.announceAddress(),
    natType,
    listening: addresses.map((hostname) => formatHostPort({ hostname, port })),
    port,
    shares,
    downloadDir: config.downloadDir,
    storageDir: config.storageDir,
    uiAddress: formatHostPort(config.ui),
    version: VERSION,
  };
}
