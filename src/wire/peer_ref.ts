/** How a peer is named above the transport: in requests served, downloads, history and the API. */

/** A peer: its ed25519 public key (hex) and its display name (adjective + animal). */
export interface PeerRef {
  keyHex: string;
  name: string;
}
