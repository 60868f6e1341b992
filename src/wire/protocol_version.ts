/** The protocol's version, as requests, the handshake and the QUIC connection's ALPN carry it. */

/** The protocol version in every request and in the handshake. */
export const PROTOCOL_VERSION = 1;
/** The ALPN of the QUIC connection. */
export const ALPN = "harddrive-party/1";
