/**
 * A running node as the API and the CLI see it ({@link HdpNode}), assembled from the parts
 * `startNode` built: each method hands the call to the part that owns it.
 */
import { logger } from "../log.ts";
import { type Connectivity, decodeAnnounceAddress, dialAnnounced } from "../discovery/mod.ts";
import type {
  DownloadAction,
  DownloadItem,
  Downloads,
  DownloadState,
  History,
  HistoryEntry,
  UploadInfo,
  Uploads,
} from "../downloads/mod.ts";
import { firstNonEmpty, firstPage, readCall, type ReadStream } from "../rpc/mod.ts";
import type { ShareInfo, Shares } from "../shares/mod.ts";
import type {
  Identity,
  PeerConnection,
  PeerInfo,
  Peers,
  QuicTransport,
  Standing,
} from "../transport/mod.ts";
import { displayName, fromHex, toHex } from "../transport/mod.ts";
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
import { type NodeInfo, nodeInfo, type TransferCounts } from "./node_info.ts";
import { findPeer } from "./peer_lookup.ts";
import type { Settings, ShareSetting } from "./settings.ts";
import { type Audience, audienceFromText, parseAudience } from "./audience.ts";
import type { ShareAudiences } from "./share_audiences.ts";
import type { Bandwidth, BandwidthStatus, LimitsChange } from "./bandwidth.ts";
import type { RelayedPeers } from "./relayed_peers.ts";
import type { TransferSettings } from "./transfer_settings.ts";

const log = logger("node");

/**
 * Changes to the engine's permission scope, which only the supervisor can make: after one, the
 * node stops with the reason {@link RESTART} and the supervisor starts it again.
 */
export interface ScopeControl {
  addShare(path: string, options?: { audience?: Audience }): Promise<ShareSetting>;
  removeShare(name: string): Promise<ShareSetting>;
}

/** The stop reason that asks the supervisor for a restart with a new scope. */
export const RESTART = "restart with a new permission scope";

/** A page of a peer's listing, with the peer it came from. */
export interface PeerLsPage extends LsPage {
  peer: PeerRef;
}

/** A share as the API shows it: its index and scan state, and who may see it. */
export interface ShareListing extends ShareInfo {
  audience: Audience;
}

/**
 * An audience as the API and the CLI send it: named peers may be names or key prefixes, which the
 * node turns into keys.
 */
export type AudienceInput = "everyone" | "friends" | { peers: string[] } | string;

/** The standings the owner sets (a request comes from the peer). */
export type OwnerStanding = Exclude<Standing, "requested">;

/** A running node, as seen by the API. */
export interface HdpNode {
  readonly events: EventBus;
  info(): NodeInfo;
  shares(): Promise<ShareListing[]>;
  /** Adds a share (default audience friends); the engine restarts with the new scope right after. */
  addShare(path: string, options?: { audience?: AudienceInput }): Promise<ShareSetting>;
  /**
   * Changes who may see a share, at once and without a restart: uploads to peers it leaves out
   * stop (`FORBIDDEN`), the others go on. `NOT_FOUND` for no such share or named peer.
   */
  setShareAudience(name: string, audience: AudienceInput): Promise<ShareListing>;
  /** Removes a share; the engine restarts with the narrower scope right after. */
  removeShare(name: string): Promise<ShareSetting>;
  /** Queries this node's own index. */
  ls(query: LsQuery): Promise<LsPage>;
  /**
   * Connects to the peer an announce address describes. With `wait: false` it answers at once,
   * the peer `connecting` (a bad address still throws), and the dial goes on: its outcome comes
   * as "peer" events, a failure as the peer's `problem`.
   */
  connect(announceAddress: string, options?: { wait?: boolean }): Promise<PeerInfo>;
  peers(): PeerInfo[];
  /**
   * Forgets a peer (a name, key or key prefix): its record and standing go, its
   * connection closes, it is not dialled again. `NOT_FOUND` for no such peer.
   */
  forgetPeer(peer: string): Promise<PeerInfo>;
  /**
   * Sets a peer's standing (a name, key or key prefix): `friend` accepts its request or befriends
   * it, `known` refuses or unfriends it, `blocked` disconnects and refuses it from then on.
   */
  setPeerStanding(peer: string, standing: OwnerStanding): PeerInfo;
  /** The limits and schedules, what moves now, and the last minute of it. */
  bandwidth(): BandwidthStatus;
  /**
   * Changes the limits outside schedules (bytes a second, 0: none) and, when given, replaces the
   * schedules; at once. `BAD_REQUEST` for a bad rate or schedule.
   */
  setBandwidth(change: LimitsChange & { schedules?: unknown }): Promise<BandwidthStatus>;
  /** Caps what this node uploads to and downloads from one peer (a name, key or prefix). */
  setPeerLimit(peer: string, change: LimitsChange): Promise<BandwidthStatus>;
  /** One page of a peer's listing or search; the peer is a name, key or key prefix. */
  peerLs(peer: string, query: LsQuery): Promise<PeerLsPage>;
  /** Starts reading a file of a peer; `signal` withdraws the read while the peer queues it. */
  peerRead(
    peer: string,
    request: { path: string; start?: number; end?: number },
    options?: { signal?: AbortSignal },
  ): Promise<ReadStream>;
  /** Queues a file or folder of a peer (a name, key or key prefix; it may be away now). */
  download(peer: string, path: string): Promise<DownloadItem>;
  downloads(): DownloadItem[];
  downloadAction(id: string, action: DownloadAction): Promise<DownloadItem>;
  /** Forgets finished downloads (done, failed; default both) and answers their ids. */
  clearDownloads(states?: readonly DownloadState[]): Promise<string[]>;
  uploads(): UploadInfo[];
  /** Cancels an upload (see `Uploads.cancel`); `NOT_FOUND` when it is not running or queued. */
  cancelUpload(id: string): void;
  history(): Promise<HistoryEntry[]>;
  /** Asks the node to stop; {@link stopRequested} resolves and the owner closes it. */
  requestStop(reason: string): void;
  /** Resolves with the reason once somebody asked the node to stop. */
  readonly stopRequested: Promise<string>;
  /**
   * A connection to the peer `peerHex` through the connected peer `viaHex`, a relayed circuit per
   * request (end-to-end encrypted). Throws `NOT_FOUND` when not connected to `viaHex`.
   */
  throughRelay(viaHex: string, peerHex: string): PeerConnection;
  /**
   * Changes how many transfers run at once (applied now, saved for the next start); the counts in
   * force. Throws `BAD_REQUEST` for a count that is not a whole number from 1 to 1000.
   */
  setTransfers(change: Partial<TransferCounts>): Promise<TransferCounts>;
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
  audiences: ShareAudiences;
  bandwidth: Bandwidth;
  /** Stops the uploads their peers may no longer see; how many. */
  enforce: () => number;
  peers: Peers;
  downloads: Downloads;
  uploads: Uploads;
  history: History;
  events: EventBus;
  /** Run in order by `close`. */
  closers: Array<() => void | Promise<void>>;
  relayed: RelayedPeers;
  transfers: TransferSettings;
  scope: ScopeControl | undefined;
  /** The KV store: what went wrong with it, for `info`. */
  storage: { problem(): Reason | undefined };
}

/** The {@link HdpNode} over its parts. */
export function assembleNode(parts: NodeParts): HdpNode {
  const { identity, connectivity, transport, settings, shares, peers, downloads } = parts;
  const { uploads, history, events, audiences, bandwidth } = parts;
  const changedBandwidth = (status: BandwidthStatus) => {
    events.emit({ type: "bandwidth", bandwidth: status });
    return status;
  };
  /** Named peers as keys: a full key as it is, a name or prefix through the peer table. */
  const resolveAudience = (input: AudienceInput): Audience => {
    const resolve = (text: string) =>
      /^[0-9a-f]{64}$/i.test(text) ? text.toLowerCase() : findPeer(peers.list(), text).keyHex;
    if (typeof input === "string") return audienceFromText(input, resolve);
    if (typeof input === "object" && input !== null && Array.isArray(input.peers)) {
      if (!input.peers.every((p) => typeof p === "string")) return parseAudience(input);
      return parseAudience({ peers: input.peers.map(resolve) });
    }
    return parseAudience(input);
  };
  const listing = async (): Promise<ShareListing[]> =>
    (await shares.list()).map((share) => ({ ...share, audience: audiences.of(share.name) }));
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
    info: () =>
      nodeInfo({
        ...parts,
        port: transport.port,
        shares: settings.shares.map((s) => ({ ...s, audience: audiences.of(s.name) })),
        relay: parts.relayed.status((keyHex) => displayName(fromHex(keyHex)!)),
      }),
    shares: listing,
    addShare: (path, options = {}) => {
      const audience = options.audience === undefined
        ? undefined
        : resolveAudience(options.audience);
      return changeScope((s) => s.addShare(path, audience === undefined ? {} : { audience }));
    },
    async setShareAudience(name, input) {
      const audience = resolveAudience(input);
      await audiences.set(name, audience);
      const stopped = parts.enforce();
      log.info("a share's audience changed", { share: name, uploadsStopped: stopped });
      events.emit({ type: "shares" });
      const share = (await listing()).find((s) => s.name === name);
      if (!share) throw hdpError("NOT_FOUND", `No share named "${name}"`);
      return share;
    },
    removeShare: (name) => changeScope((s) => s.removeShare(name)),
    ls: ownLs,
    async connect(text, options = {}) {
      const dial = dialAnnounced(text, { own: connectivity.ownReach(), peers, transport }, {
        source: "manual",
      });
      if (options.wait !== false) return await dial;
      // refused at once (a bad address, this node's own) comes first; else the dial is under way
      const early = await Promise.race([dial, Promise.resolve(undefined)]);
      if (early) return early;
      const keyHex = toHex(decodeAnnounceAddress(text).publicKey);
      const peer = peers.list().find((p) => p.keyHex === keyHex);
      // not in the table: refused before it was taken in (this node's own address), at once
      if (!peer) return await dial;
      dial.catch(() => {}); // a failure is shown as the peer's problem
      return peer.status === "connected" ? peer : { ...peer, status: "connecting" };
    },
    peers: () => peers.list(),
    async forgetPeer(text) {
      const peer = findPeer(peers.list(), text);
      const forgotten = await peers.forget(peer.keyHex);
      // it is not dialled again: its downloads would wait unseen; paused, they say why
      downloads.pausePeer(
        peer.keyHex,
        hdpError(
          "UNAVAILABLE",
          `You forgot ${peer.name}: resume this download once ${peer.name} connects again`,
        ),
      );
      return forgotten;
    },
    throughRelay: (viaHex, peerHex) => parts.relayed.through(viaHex, peerHex),
    setTransfers: (change) => parts.transfers.set(change),
    bandwidth: () => bandwidth.status({ history: true }),
    setBandwidth: async (change) => changedBandwidth(await bandwidth.set(change)),
    async setPeerLimit(text, change) {
      const peer = findPeer(peers.list(), text);
      return changedBandwidth(await bandwidth.setPeer(peer.keyHex, change));
    },
    setPeerStanding(text, standing) {
      const peer = findPeer(peers.list(), text);
      const info = peers.setStanding(peer.keyHex, standing);
      log.info("a peer's standing changed", { peer: peer.name, standing });
      return info;
    },
    async peerLs(text, query) {
      const { peer, connection } = connectedPeer(parts, text);
      // browsing a peer is using it (a search of every peer is not)
      if (connection && query.searchTerm === undefined) peers.markUseful(peer.keyHex);
      const page = connection
        ? await firstPage(connection, query, { throttle: bandwidth.download })
        : await ownLs(query);
      return { ...page, peer: { keyHex: peer.keyHex, name: peer.name } };
    },
    async peerRead(text, request, options = {}) {
      const { peer, connection } = connectedPeer(parts, text);
      if (!connection) {
        throw hdpError("BAD_REQUEST", `${peer.name} is this node: read the file from disk`);
      }
      peers.markUseful(peer.keyHex);
      // a person waits for it (the API's reads are played, previewed, saved by hand)
      return await readCall(connection, { ...request, interactive: true }, {
        ...options,
        throttle: bandwidth.download,
      });
    },
    async download(text, path) {
      const peer = findPeer(peers.list(), text);
      peers.markUseful(peer.keyHex);
      return await downloads.add({ keyHex: peer.keyHex, name: peer.name }, path);
    },
    downloads: () => downloads.list(),
    downloadAction: (id, action) => downloads.action(id, action),
    clearDownloads: (states) => downloads.clear(states),
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
