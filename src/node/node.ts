/**
 * The composition root of a running node: builds storage, identity, shares, the QUIC transport
 * and its peers, the downloads and the request handlers, and wires them together. The API and the
 * CLI talk to a node only through {@link HdpNode}.
 */
import { logger } from "../log.ts";
import {
  announcedDialer,
  Connectivity,
  decodeAnnounceAddress,
  dialAnnounced,
  inboundPath,
  PortMapper,
  reachableWithoutPunching,
} from "../discovery/mod.ts";
import { Downloads, History, sweepOrphanParts, Uploads, UploadSlots } from "../downloads/mod.ts";
import {
  announceCall,
  befriendCall,
  type Handlers,
  RequestBudget,
  serveConnection,
} from "../rpc/mod.ts";
import { rankRelays, type SpliceOptions } from "../relay/mod.ts";
import { Shares } from "../shares/mod.ts";
import {
  displayName,
  loadOrCreateIdentity,
  type PeerConnection,
  Peers,
  PeerStore,
  pickUdpPort,
  QuicTransport,
} from "../transport/mod.ts";
import { hdpError, messageOf, type PeerRef, SMALL_FILE_BYTES, toHdpError } from "../wire/mod.ts";
import type { NodeConfig } from "./config.ts";
import { EventBus } from "./events.ts";
import { assembleNode, type HdpNode, type ScopeControl } from "./hdp_node.ts";
import { peerAccess } from "./peer_access.ts";
import { RelayedPeers } from "./relayed_peers.ts";
import { readSettings, type Settings, withSettingsLock, writeSettings } from "./settings.ts";
import { ShareAudiences } from "./share_audiences.ts";
import { Bandwidth } from "./bandwidth.ts";
import { enforceAccess, lsRequest, type Viewer } from "./share_access.ts";
import { StateStore } from "./state_store.ts";
import { startingTransfers } from "./transfer_counts.ts";
import { TransferSettings } from "./transfer_settings.ts";

const log = logger("node");

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** How shares are added and removed; without it (tests) the node cannot change them. */
  scope?: ScopeControl;
  /** Watch shares for changes. Default true. */
  watch?: boolean;
  /** The address the QUIC endpoint binds. Default `::` (IPv6 and IPv4), else `0.0.0.0`. */
  hostname?: string;
  /** Tests: sees (and may change) every chunk this node relays. */
  relayTap?: SpliceOptions["tap"];
}

/** Starts a node from its configuration. */
export async function startNode(config: NodeConfig, options: NodeOptions = {}): Promise<HdpNode> {
  const identity = await loadOrCreateIdentity(config.storageDir);
  const settings = await readSettings(config.storageDir);
  const port = await resolvePort(config, settings);
  const startedAt = Date.now();
  const events = new EventBus();
  // a damaged state.kv is moved aside and the journal restores a fresh one (state_store.ts)
  const store = await StateStore.open(config.storageDir, {
    onProblem: () => events.emit({ type: "info" }),
  });
  const kv = store.kv;
  // the journal's last write, then the store closes: after everything that writes to it
  const closers: Array<() => void | Promise<void>> = [() => store.close()];
  try {
    store.follow(events);
    const audiences = new ShareAudiences(config.storageDir, settings.shares);
    const bandwidth = new Bandwidth(config.storageDir, settings.bandwidth);
    closers.unshift(() => bandwidth.close());
    if (config.maxUpload !== undefined || config.maxDownload !== undefined) {
      // given at start: they stand (and are kept) until changed at run time
      await bandwidth.set({
        ...(config.maxUpload !== undefined ? { upload: config.maxUpload } : {}),
        ...(config.maxDownload !== undefined ? { download: config.maxDownload } : {}),
      });
    }
    closers.unshift(reportBandwidth(bandwidth, events));
    const shares = await Shares.open(kv, settings.shares, {
      watch: options.watch ?? true,
      onChange: (share) =>
        events.emit({ type: "share", share: { ...share, audience: audiences.of(share.name) } }),
    });
    closers.unshift(() => shares.close());
    // a flag given to start wins, then what Settings saved, then the default
    const counts = startingTransfers(config, config.transferFlags ?? {}, settings.transfers);
    const uploadSlots = new UploadSlots(counts.uploadSlots);
    const history = new History(kv);
    closers.unshift(() => history.flush()); // after the downloads and uploads have added theirs
    const uploads = new Uploads({
      smallBytes: SMALL_FILE_BYTES,
      history,
      onChange: (upload) => events.emit({ type: "upload", upload }),
      onDone: (id) => events.emit({ type: "upload-done", id }),
    });
    closers.unshift(() => uploads.close());
    const viewer = (from: PeerRef): Viewer => ({
      keyHex: from.keyHex,
      standing: peers.standing(from.keyHex),
    });
    // what each peer may see is decided here, for every request (share_access.ts)
    const handlers: Handlers = {
      ls: (query, from) => shares.pages(query, audiences.filter(viewer(from), lsRequest(query))),
      openFile: (path, from) => shares.openFile(path, audiences.filter(viewer(from), "read")),
      announce: (from, request) => connectivity.announced(from.keyHex, request),
      befriend: (from) => peers.requested(from.keyHex),
      uploadSlot: (from, onPosition, signal) =>
        uploadSlots.acquire(from.keyHex, onPosition, signal),
      onUpload: (from, path, bytes, fileSize) => uploads.track(from, path, bytes, fileSize),
      refused: (from, path) => uploads.refused(from.keyHex, path),
      relay: (from, request) => relayed.relay(from, request),
      relayed: (via, request) => relayed.relayed(via, request),
    };
    /** Uploads a peer may no longer see (an audience or a standing changed) stop, with why. */
    const enforce = () => enforceAccess(uploads, (upload) => viewer(upload.peer), audiences);
    const befriend = (connection: PeerConnection) =>
      befriendCall(connection).catch((error) =>
        log.debug("a friend request did not arrive", { error: messageOf(error) })
      );
    const budget = new RequestBudget(); // what all peers together may have served at once
    // what this node relays shows in info: a circuit per request, so told at most every 2 s
    const relayNews = coalesced(() => events.emit({ type: "info" }), 2000);
    closers.unshift(() => relayNews.cancel());
    const relayed: RelayedPeers = new RelayedPeers({
      identity,
      relay: config.relay ?? true,
      rate: config.relayRate ?? 0,
      connection: (keyHex) => peers.connection(keyHex),
      admits: (keyHex) => peers.admits(keyHex),
      // a peer through a relay is listed and served like a direct one (see `serve`)
      adopt: (connection) => peers.accept(connection),
      throttle: bandwidth.upload,
      ...(options.relayTap ? { tap: options.relayTap } : {}),
      onChange: () => relayNews.soon(),
    });
    closers.unshift(() => relayed.close());
    const serve = (connection: PeerConnection) => {
      const requester = { keyHex: connection.peerKeyHex, name: displayName(connection.peerKey) };
      void serveConnection(connection, requester, handlers, {
        budget,
        throttle: bandwidth.upload,
      });
      // this node's owner added the peer: it is asked to take this node as a friend too
      if (peers.standing(connection.peerKeyHex) === "friend") void befriend(connection);
      // no gossip through a relay: its address is the relay's, and gossip goes to direct peers
      if (connection.path?.via === "relayed") return;
      connectivity.connected(connection).catch((error) => {
        log.debug("gossip to a new peer failed", { error: messageOf(error) });
      });
    };
    // The transport, the peers and the connectivity need each other; closures run after all exist.
    const peers: Peers = new Peers(
      identity.publicKeyHex,
      (ip, p, key) => transport.dial(ip, p, key),
      new PeerStore(kv),
      {
        onConnection: serve,
        onChange: (peer) => events.emit({ type: "peer", peer }),
        onRemove: (keyHex) => events.emit({ type: "peer-removed", keyHex }),
        wanted: (key) => downloads.waitsFor(key),
        pathOf: (connection) => inboundPath(connection.remote),
        // after a restart, every candidate of a peer's announce address, as when it was added
        redialer: (record) =>
          announcedDialer(record.announce!, {
            own: () => connectivity.ownReach(),
            transport,
          }, { punch: peers.trusted(record.keyHex) }),
        accept: config.accept ?? "everyone",
        // no direct path: a connected peer that reaches it too carries an end-to-end circuit
        relayDial: (keyHex, direct) => {
          // a peer with no NAT (or a forwarded port) was only slow or away: it is redialled
          // directly, and relays are kept for those nothing else reaches
          const announce = peers.announceOf(keyHex);
          if (announce !== undefined && reachableDirectly(announce)) return Promise.reject(direct);
          return relayed.reach(keyHex, rankRelays(peers.connections(), keyHex)).catch((error) => {
            throw hdpError("UNAVAILABLE", `${direct.message}; ${toHdpError(error).message}`);
          });
        },
        onStanding: (keyHex, standing) => {
          const connection = peers.connection(keyHex);
          if (standing === "friend" && connection) {
            void befriend(connection);
            // a new friend hears of this node's other friends, and they of it
            connectivity.connected(connection).catch(() => {});
          }
          enforce();
        },
      },
    );
    await Deno.mkdir(config.downloadDir, { recursive: true });
    const downloadDir = await Deno.realPath(config.downloadDir);
    const downloads = await Downloads.open(kv, peerAccess(peers, bandwidth.download), {
      downloadDir,
      history,
      perPeer: counts.downloadsPerPeer,
      global: counts.maxDownloads,
      onChange: (item) => events.emit({ type: "download", item }),
      onRemoved: (id) => events.emit({ type: "download-removed", id }),
    });
    const transfers = new TransferSettings(config.storageDir, counts, (now) => {
      uploadSlots.setSlots(now.uploadSlots);
      downloads.setLimits({ perPeer: now.downloadsPerPeer, global: now.maxDownloads });
      events.emit({ type: "info" });
    });
    closers.unshift(async () => {
      uploads.close(); // its last runs of small uploads go into the history
      await downloads.close();
    });
    closers.unshift(sweepInBackground(downloadDir, { downloads, store, startedAt }));
    // A peer that connects may have downloads waiting for it; one that goes, downloads to show so.
    closers.unshift(events.on((event) => {
      if (event.type === "peer") downloads.peerChanged(event.peer.keyHex);
    }));
    const connectivity = new Connectivity(identity, {
      stun: config.stun,
      stunServers: config.stunServers,
      mdns: config.mdns,
      portMapping: config.portMapping,
      unlisted: config.unlisted ?? false,
      onChange: () => events.emit({ type: "info" }),
    });
    closers.unshift(() => connectivity.close());
    // The router is asked beside STUN (a known port) or once the endpoint has one; never waited for.
    const mapPort = (internalPort: number) => {
      if (!config.portMapping) return;
      const mapper = new PortMapper({
        internalPort,
        onChange: (mapping) => connectivity.setMapping(mapping),
      });
      closers.unshift(() => mapper.stop());
      void mapper.start().then((mapping) => connectivity.setMapping(mapping));
    };
    if (port !== 0) mapPort(port);
    if (port !== 0) await connectivity.probe(port); // before the endpoint takes the port
    const transport = await QuicTransport.open(identity, {
      ...(options.hostname ? { hostname: options.hostname } : {}),
      port,
      onConnection: (connection) => peers.accept(connection),
      admit: (key) => peers.admits(key),
    });
    closers.unshift(() => transport.close());
    closers.unshift(() => peers.close());
    if (port === 0) mapPort(transport.port);
    connectivity.start({ hostname: transport.hostname, port: transport.port }, {
      isConnected: (key) => peers.connection(key) !== undefined,
      // a peer heard of by gossip may need the birthday paradox as much as a pasted one
      connect: (announce, source, { punch, skip }) =>
        dialAnnounced(announce, { own: connectivity.ownReach(), peers, transport }, {
          source,
          punch,
          skip,
        }),
      remoteOf: (key) => peers.connection(key)?.remote,
      trusted: (key) => peers.trusted(key),
      standing: (key) => peers.standing(key),
      connections: () => peers.connections(),
      send: (connection, signed) => announceCall(connection, signed),
      redialSoon: () => peers.redialSoon(),
    });
    await peers.restore();
    return assembleNode({
      identity,
      config,
      connectivity,
      transport,
      settings,
      shares,
      audiences,
      bandwidth,
      enforce,
      peers,
      downloads,
      uploads,
      history,
      events,
      closers,
      relayed,
      transfers,
      scope: options.scope,
      storage: store,
    });
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
}

async function resolvePort(config: NodeConfig, settings: Settings): Promise<number> {
  if (config.port !== undefined) return config.port; // 0: the OS picks, not remembered (tests)
  if (settings.port !== undefined) return settings.port;
  const port = pickUdpPort();
  await withSettingsLock(config.storageDir, async () => {
    await writeSettings(config.storageDir, { ...(await readSettings(config.storageDir)), port });
  });
  log.info("picked a UDP port; it is remembered for next time", { port });
  return port;
}

/**
 * Tells the API what moves, every 2 s while something does (and once when it stops); returns
 * its stop.
 */
function reportBandwidth(bandwidth: Bandwidth, events: EventBus): () => void {
  let last = "";
  const timer = setInterval(() => {
    const status = bandwidth.status();
    const now = JSON.stringify([status.rates, status.inForce, status.limits]);
    if (now === last) return;
    last = now;
    events.emit({ type: "bandwidth", bandwidth: status });
  }, 2000);
  return () => clearInterval(timer);
}

/** Deals with `.part` files no download owns, without delaying the start; returns its stop. */
function sweepInBackground(
  downloadDir: string,
  { downloads, store, startedAt }: { downloads: Downloads; store: StateStore; startedAt: number },
): () => void {
  const stop = new AbortController();
  sweepOrphanParts(downloadDir, {
    owners: () => downloads.list(),
    restoredIds: new Set(store.restored?.items.map((item) => item.id)),
    startedAt,
    signal: stop.signal,
  }).catch((error) =>
    log.warn("cannot look for orphaned .part files", { error: messageOf(error) })
  );
  return () => stop.abort();
}

/** Calls `fn` once, `ms` after the first of any number of `soon()` calls; `cancel` drops it. */
function coalesced(fn: () => void, ms: number): { soon(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    soon() {
      timer ??= setTimeout(() => {
        timer = undefined;
        fn();
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Whether the node an announce address describes needs neither punching nor a relay. */
function reachableDirectly(announce: string): boolean {
  try {
    const address = decodeAnnounceAddress(announce);
    return reachableWithoutPunching({
      natType: address.natType,
      candidates: address.candidates ?? [],
    });
  } catch {
    return false;
  }
}
