/** What `info` shows about a running node. */
import {
  type Candidate,
  type Connectivity,
  localAddresses,
  type MappingStatus,
  type NatType,
  type RouterMapping,
} from "../discovery/mod.ts";
import { type AcceptPolicy, DEFAULT_ACCEPT, type Identity } from "../transport/mod.ts";
import type { Reason } from "../wire/mod.ts";
import { formatHostPort, type NodeConfig } from "./config.ts";
import type { ShareSetting } from "./settings.ts";
import type { Limits, LimitsInForce } from "../wire/mod.ts";
import type { RelayStatus } from "./relayed_peers.ts";
import { VERSION } from "./version.ts";

export type { MappingStatus } from "../discovery/mod.ts";

/** What `info` shows about a node. */
export interface NodeInfo {
  name: string;
  publicKey: string;
  announceAddress: string;
  natType: NatType;
  /** Every place this node may be reached at, as its announce address lists them. */
  candidates: Candidate[];
  /** The port the router opened on request (PCP, NAT-PMP or UPnP-IGD), when one is in use. */
  mapping?: RouterMapping;
  /** What became of asking the router for a port, also when it gave none or a useless one. */
  portMapping: MappingStatus;
  /** What this node relays for others (`--relay`): between whom, how much. */
  relay?: RelayStatus;
  /** This host's IPv6 address as STUN over IPv6 saw it (its own, unless a prefix translation). */
  ipv6Seen?: string;
  /** `IP:PORT` of every local address the QUIC endpoint listens on. */
  listening: string[];
  port: number;
  shares: ShareSetting[];
  /** Who may connect at all (`--accept`). */
  accept: AcceptPolicy;
  /** This node asks peers not to pass it on (`--no-gossip-me`). */
  unlisted: boolean;
  /** How many transfers run at once (`--upload-slots`, `--downloads-per-peer`, `--max-downloads`). */
  transfers: TransferCounts;
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

/** How many transfers run at once, as `start` set them. */
export interface TransferCounts {
  /** Large uploads served at once; the rest queue fairly. */
  uploadSlots: number;
  /** Files downloaded at once from one peer. */
  downloadsPerPeer: number;
  /** Files downloaded at once in all. */
  maxDownloads: number;
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
  /** The transfers at once in force (tests may build info without: the config's). */
  transfers?: { counts: TransferCounts };
  /** What the node relays, when it can (tests may build info without). */
  relay?: RelayStatus;
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
    candidates: connectivity.candidates(),
    ...(connectivity.mapping ? { mapping: connectivity.mapping } : {}),
    portMapping: connectivity.mappingStatus(),
    ...(sources.relay ? { relay: sources.relay } : {}),
    ...(connectivity.ipv6Seen ? { ipv6Seen: connectivity.ipv6Seen } : {}),
    listening: addresses.map((hostname) => formatHostPort({ hostname, port })),
    port,
    shares,
    accept: config.accept ?? DEFAULT_ACCEPT,
    unlisted: config.unlisted ?? false,
    transfers: sources.transfers?.counts ?? {
      uploadSlots: config.uploadSlots,
      downloadsPerPeer: config.downloadsPerPeer,
      maxDownloads: config.maxDownloads,
    },
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
