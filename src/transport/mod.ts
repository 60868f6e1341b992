/**
 * The public face of src/transport/: the QUIC endpoint, identity and names, the handshake, the
 * peer table.
 */
export { listenerCertificate, SERVER_NAME, trustAnchorFor } from "./certificate.ts";
export { proofPayload, proveIdentity } from "./handshake.ts";
export {
  generateIdentity,
  identityFromPkcs8,
  loadOrCreateIdentity,
  verifySignature,
} from "./identity.ts";
export type { Identity } from "./identity.ts";
export { displayName, fromHex, toHex } from "./names.ts";
export { parsePeerRecord, PeerStore } from "./peer_store.ts";
export type { PeerRecord, PeerSource } from "./peer_store.ts";
export { Peers } from "./peers.ts";
export {
  ACCEPT_POLICIES,
  DEFAULT_ACCEPT,
  MAX_REQUESTS,
  mayConnect,
  parseStanding,
  STANDINGS,
} from "./standing.ts";
export type { AcceptPolicy, Standing } from "./standing.ts";
export type { PeerInfo, PeerStatus } from "./peers.ts";
export { CLOSE, QuicTransport } from "./quic.ts";
export type { PeerConnection, PeerStream } from "./quic.ts";
export { familyOf, pathText } from "./connection_path.ts";
export type { ConnectionPath, PathVia } from "./connection_path.ts";
export { withTimeout } from "./timeout.ts";
export { pickUdpPort } from "./udp_port.ts";
