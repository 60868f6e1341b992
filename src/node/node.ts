/**
 * The composition root of a running node: storage, identity, shares, and (as they land) transport,
 * downloads and discovery. The API and the CLI talk to a node only through {@link HdpNode}.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { encodeAnnounceAddress } from "../discovery/announce_address.ts";
import { localAddresses } from "../discovery/local_addresses.ts";
import type { NatType } from "../discovery/nat_type.ts";
import { type LsPage, type LsQuery } from "../shares/query.ts";
import { type ShareInfo, Shares } from "../shares/shares.ts";
import { type Identity, loadOrCreateIdentity } from "../transport/identity.ts";
import { pickUdpPort } from "../transport/udp_port.ts";
import { formatHostPort, type NodeConfig } from "./config.ts";
import { EventBus } from "./events.ts";
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
}

/** Starts a node from its configuration. */
export async function startNode(config: NodeConfig, options: NodeOptions = {}): Promise<HdpNode> {
  const identity = await loadOrCreateIdentity(config.storageDir);
  const settings = await readSettings(config.storageDir);
  const port = await resolvePort(config, settings);
  const kv = await Deno.openKv(join(config.storageDir, KV_FILE));
  const events = new EventBus();
  const shares = await Shares.open(kv, settings.shares, {
    watch: options.watch ?? true,
    onChange: (share) => events.emit({ type: "share", share }),
  });

  let closed: Promise<void> | undefined;
  const stop = Promise.withResolvers<string>();
  const requestStop = (reason: string) => {
    events.emit({ type: "stopping", reason });
    stop.resolve(reason);
  };
  const changeScope = async (change: (scope: ScopeControl) => Promise<ShareSetting>) => {
    if (!options.scope) throw new Error("This node cannot change its shares");
    const share = await change(options.scope);
    events.emit({ type: "shares" });
    setTimeout(() => requestStop(RESTART), 0); // answer the caller first
    return share;
  };
  log.info("node started", { name: identity.name, port, shares: settings.shares.length });

  return {
    events,
    info: () => nodeInfo(identity, config, port, settings.shares),
    shares: () => shares.list(),
    addShare: (path) => changeScope((scope) => scope.addShare(path)),
    removeShare: (name) => changeScope((scope) => scope.removeShare(name)),
    ls: (query) => shares.query(query),
    requestStop,
    stopRequested: stop.promise,
    close: () => {
      closed ??= (async () => {
        await shares.close();
        kv.close();
        log.info("node stopped");
      })();
      return closed;
    },
  };
}

async function resolvePort(config: NodeConfig, settings: Settings): Promise<number> {
  if (config.port !== undefined && config.port !== 0) return config.port;
  if (settings.port !== undefined) return settings.port;
  const port = pickUdpPort();
  await writeSettings(config.storageDir, { ...settings, port });
  log.info("picked a UDP port; it is remembered for next time", { port });
  return port;
}

function nodeInfo(
  identity: Identity,
  config: NodeConfig,
  port: number,
  shares: ShareSetting[],
): NodeInfo {
  const addresses = localAddresses();
  const natType: NatType = "unknown";
  const announceIp = addresses[0]?.address ?? "127.0.0.1";
  return {
    name: identity.name,
    publicKey: identity.publicKeyHex,
    announceAddress: encodeAnnounceAddress({
      publicKey: identity.publicKey,
      ip: announceIp,
      port,
      natType,
    }),
    natType,
    listening: addresses.map((a) => formatHostPort({ hostname: a.address, port })),
    port,
    shares,
    downloadDir: config.downloadDir,
    storageDir: config.storageDir,
    uiAddress: formatHostPort(config.ui),
    version: VERSION,
  };
}
