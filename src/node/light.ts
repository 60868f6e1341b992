/**
 * The light face of src/node/: what the supervisor and the CLI's commands need (the config, the
 * settings and shares in them, the sandbox scope, the API token, the version) without loading the
 * node itself (QUIC, certificates, the download queue). mod.ts is the whole face.
 */
export { loadOrCreateToken } from "./api_token.ts";
export {
  DEFAULT_UI_ADDRESS,
  expandHome,
  formatHostPort,
  LIMITS,
  parseHostPort,
  resolveConfig,
} from "./config.ts";
export type { HostPort, NodeConfig, Platform } from "./config.ts";
export type { NodeEvent } from "./events.ts";
export type {
  AudienceInput,
  HdpNode,
  OwnerStanding,
  PeerLsPage,
  ScopeControl,
  ShareListing,
} from "./hdp_node.ts";
export type { MappingStatus, NodeInfo, TransferCounts } from "./node_info.ts";
export { checkConfinable, enginePermissions } from "./sandbox.ts";
export type { SandboxScope } from "./sandbox.ts";
export { readSettings, writeSettings } from "./settings.ts";
export type { ShareSetting } from "./settings.ts";
export { DEFAULT_AUDIENCE, parseAudience } from "./audience.ts";
export type { BandwidthStatus, LimitsChange } from "./bandwidth.ts";
export type { Audience } from "./audience.ts";
export { addShare, planShareAdd, removeShare } from "./share_settings.ts";
export type { AddShareOptions, ShareAddPlan } from "./share_settings.ts";
export { MAX_COUNT, parseTransferChange, TRANSFER_FLAGS } from "./transfer_counts.ts";
export { VERSION } from "./version.ts";
