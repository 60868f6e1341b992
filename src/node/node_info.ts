/** What `info` shows about a running node. */
import { type Connectivity, localAddresses, type NatType } from "../discovery/mod.ts";
import { type AcceptPolicy, DEFAULT_ACCEPT, type Identity } from "../transport/mod.ts";
import type { Reason } from "../wire/mod.ts";
import { formatHostPort, type NodeConfig } from "./config.ts";
import type { ShareSetting } from "./settings.ts";
import type { Limits, LimitsInForce } from "../wire/mod.ts";
import { VERSION } from "./version.ts";

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
  /** Who may connect at all (`--accept`). */
  accept: AcceptPolicy;
  /** This node asks peers not to pass it on (`--no-gossip-me`). */
  unlisted: boolean;
  /** The limits in force (bytes a second, 0: none; and the schedule setting them) and the rates now. */
  bandwidth?: { inForce: LimitsInForce; rates: Limits };
  downloadDir: string;
  storageDir: string;
  uiAddress: string;
  version: string;
  /**
   * What went wrong with the state store (`state.kv`), when something did: `IO` it was damaged
   * and moved aside (or is damaged now, and is moved aside at the next start), `NOT_FOUND` it was
   * missing; the message says what was restored from the state backup and what is lost.
   */
  storageProblem?: Reason;
}

/** What {@link nodeInfo} reads from. */
export interface InfoSources {
  identity: Identity;
  config: NodeConfig;
  connectivity: Connectivity;
  /** The UDP port the QUIC endpoint is bound to. */
  port: number;
  shares: ShareSetting[];
  /** The bandwidth, when there is one (tests may build info without). */
  bandwidth?: { status(): { inForce: LimitsInForce; rates: Limits } };
  /** The state store, when there is one (tests may build info without). */
  storage?: { problem(): Reason | undefined };
}

/** The node's info as it is now (its addresses and NAT type may change while it runs). */
export function nodeInfo(sources: InfoSources): NodeInfo {
  const { identity, config, connectivity, port, shares } = sources;
  const addresses = localAddresses().map((a) => a.address);
  const storageProblem = sources.storage?.problem();
  return {
    name: identity.name,
    publicKey: identity.publicKeyHex,
    announceAddress: connectivity.announceAddress(),
    natType: connectivity.natType,
    listening: addresses.map((hostname) => formatHostPort({ hostname, port })),
    port,
    shares,
    accept: config.accept ?? DEFAULT_ACCEPT,
    unlisted: config.unlisted ?? false,
    ...(sources.bandwidth
      ? {
        bandwidth: (({ inForce, rates }) => ({ inForce, rates }))(sources.bandwidth.status()),
      }
      : {}),
    downloadDir: config.downloadDir,
    storageDir: config.storageDir,
    uiAddress: formatHostPort(config.ui),
    version: VERSION,
    ...(storageProblem ? { storageProblem } : {}),
  };
}
