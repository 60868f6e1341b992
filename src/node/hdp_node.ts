/**
 * A running node as the API and the CLI see it ({@link HdpNode}), assembled from the parts
 * `startNode` built: each method hands the call to the part that owns it.
 */
import { logger } from "../log.ts";
import { type Connectivity, dialAnnounced } from "../discovery/mod.ts";
import type {
  DownloadAction,
  DownloadItem,
  Downloads,
  History,
  HistoryEntry,
  UploadInfo,
  Uploads,
} from "../downloads/mod.ts";
import { firstNonEmpty, firstPage, readCall, type ReadStream } from "../rpc/mod.ts";
import type { ShareInfo, Shares } from "../shares/mod.ts";
import type { Identity, PeerConnection, PeerInfo, Peers, QuicTransport } from "../transport/mod.ts";
import {
  hdpError,
  type LsPage,
  type LsQuery,
  messageOf,
  type PeerRef,
  type Reason,
} from "../wire/mod.ts";
import type { NodeConfig } from "./config.ts";
import type { EventBus } from "./events.ts";
import { type NodeInfo, nodeInfo } from "./node_info.ts";
import { findPeer } from "./peer_lookup.ts";
import type { Settings, ShareSetting } from "./settings.ts";

const log = logger("node");

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

/** A page of a peer's listing, with the peer it came from. */
export interface PeerLsPage extends LsPage {
  peer: PeerRef;
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
  /** Cancels an upload (see `Uploads.cancel`); `NOT_FOUND` when it is not running or queued. */
  cancelUpload(id: string): void;
  history(): Promise<HistoryEntry[]>;
  /** Asks the node to stop; {@link stopRequested} resolves and the owner closes it. */
  requestStop(reason: string): void;
  /** Resolves with the reason once somebody asked the node to stop. */
  readonly stopRequested: Promise<string>;
  /** Releases everything the node holds; idempotent. */
  close(): Promise<void>;
}

/** The parts a node is made of, as `startNode` built them. */
export interface NodeParts {
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
  /** Run in order by `close`. */
  closers: Array<() => void | Promise<void>>;
  scope: ScopeControl | undefined;
  /** The KV store: what went wrong with it, for `info`. */
  storage: { problem(): Reason | undefined };
}

/** The {@link HdpNode} over its parts. */
export function assembleNode(parts: NodeParts): HdpNode {
  const { identity, connectivity, transport, settings, shares, peers, downloads } = parts;
  const { uploads, history, events } = parts;
  let closed: Promise<void> | undefined;
  const stop = Promise.withResolvers<string>();
  const requestStop = (reason: string) => {
    events.emit({ type: "stopping", reason });
    stop.resolve(reason);
  };
  const changeScope = async (change: (scope: ScopeControl) => Promise<ShareSetting>) => {
    if (!parts.scope) throw hdpError("UNAVAILABLE", "This node cannot change its shares");
    const share = await change(parts.scope);
    events.emit({ type: "shares" });
    setTimeout(() => requestStop(RESTART), 0); // answer the caller first
    return share;
  };
  const ownLs = (query: LsQuery) => firstNonEmpty(shares.pages(query));
  log.info("node started", {
    name: identity.name,
    port: transport.port,
    shares: settings.shares.length,
  });

  return {
    events,
    info: () => nodeInfo({ ...parts, port: transport.port, shares: settings.shares }),
    shares: () => shares.list(),
    addShare: (path) => changeScope((s) => s.addShare(path)),
    removeShare: (name) => changeScope((s) => s.removeShare(name)),
    ls: ownLs,
    connect: (text) =>
      dialAnnounced(text, { natType: connectivity.natType, peers, transport }, {
        source: "manual",
      }),
    peers: () => peers.list(),
    async peerLs(text, query) {
      const { peer, connection } = connectedPeer(parts, text);
      // browsing a peer is using it (a search of every peer is not)
      if (connection && query.searchTerm === undefined) peers.markUseful(peer.keyHex);
      const page = connection ? await firstPage(connection, query) : await ownLs(query);
      return { ...page, peer: { keyHex: peer.keyHex, name: peer.name } };
    },
    async peerRead(text, request) {
      const { peer, connection } = connectedPeer(parts, text);
      if (!connection) {
        throw hdpError("BAD_REQUEST", `${peer.name} is this node: read the file from disk`);
      }
      peers.markUseful(peer.keyHex);
      return await readCall(connection, request);
    },
    async download(text, path) {
      const peer = findPeer(peers.list(), text);
      peers.markUseful(peer.keyHex);
      return await downloads.add({ keyHex: peer.keyHex, name: peer.name }, path);
    },
    downloads: () => downloads.list(),
    downloadAction: (id, action) => downloads.action(id, action),
    uploads: () => uploads.list(),
    cancelUpload: (id) => uploads.cancel(id),
    history: () => history.list(),
    requestStop,
    stopRequested: stop.promise,
    close: () => {
      closed ??= (async () => {
        for (const close of parts.closers) {
          // one that fails (a damaged store) must not keep the others, the last journal, from running
          await Promise.resolve().then(close).catch((error) =>
            log.error("a part of the node did not close cleanly", { error: messageOf(error) })
          );
        }
        log.info("node stopped");
      })();
      return closed;
    },
  };
}

/**
 * The peer `text` names (this node too) and its live connection; none for this node. Throws
 * `UNAVAILABLE` for a peer that is not connected.
 */
function connectedPeer(
  { identity, peers }: NodeParts,
  text: string,
): { peer: PeerRef; connection: PeerConnection | undefined } {
  const self = { keyHex: identity.publicKeyHex, name: identity.name };
  const peer = findPeer<PeerRef | PeerInfo>([...peers.list(), self], text);
  if (peer.keyHex === identity.publicKeyHex) return { peer, connection: undefined };
  const connection = peers.connection(peer.keyHex);
  if (!connection) {
    const status = "status" in peer ? ` (${peer.status})` : "";
    throw hdpError("UNAVAILABLE", `${peer.name} is not connected${status}`);
  }
  return { peer, connection };
}
