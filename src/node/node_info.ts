/** What `info` shows about a running node. */
import { type Connectivity, localAddresses, type NatType } from "../discovery/mod.ts";
import type { Identity } from "../transport/mod.ts";
import { formatHostPort, type NodeConfig } from "./config.ts";
import type { ShareSetting } from "./settings.ts";
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
  downloadDir: string;
  storageDir: string;
  uiAddress: string;
  version: string;
}

/** What {@link nodeInfo} reads from. */
export interface InfoSources {
  identity: Identity;
  config: NodeConfig;
  connectivity: Connectivity;
  /** The UDP port the QUIC endpoint is bound to. */
  port: number;
  shares: ShareSetting[];
}

/** The node's info as it is now (its addresses and NAT type may change while it runs). */
export function nodeInfo(sources: InfoSources): NodeInfo {
  const { identity, config, connectivity, port, shares } = sources;
  const addresses = localAddresses().map((a) => a.address);
  return {
    name: identity.name,
    publicKey: identity.publicKeyHex,
    announceAddress: connectivity.announceAddress(),
    natType: connectivity.natType,
    listening: addresses.map((hostname) => formatHostPort({ hostname, port })),
    port,
    shares,
    downloadDir: config.downloadDir,
    storageDir: config.storageDir,
    uiAddress: formatHostPort(config.ui),
    version: VERSION,
  };
}
