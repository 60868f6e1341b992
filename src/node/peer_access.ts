/** How the downloads reach peers: through the live connections the peers hold. */
import type { PeerAccess } from "../downloads/mod.ts";
import { lsCall, readCall, readManyCall, type Throttle } from "../rpc/mod.ts";
import type { PeerConnection, Peers } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** Listing pages the downloads ask for: each is stored with its files in one commit. */
const LIST_PAGE = 500;

/**
 * The downloads' {@link PeerAccess} over `peers`, paced by the download `throttle`; throws
 * `UNAVAILABLE` for a peer away.
 */
export function peerAccess(peers: Peers, throttle: Throttle): PeerAccess {
  const connection = (keyHex: string): PeerConnection => {
    const live = peers.connection(keyHex);
    if (!live) throw hdpError("UNAVAILABLE", "The peer is not connected");
    return live;
  };
  return {
    isConnected: (keyHex) => peers.connection(keyHex) !== undefined,
    async *list(keyHex, path, cursor) {
      const query = { path, recursive: true, limit: LIST_PAGE, ...(cursor ? { cursor } : {}) };
      yield* lsCall(connection(keyHex), query, { throttle });
    },
    read: (keyHex, path, start, options) =>
      readCall(connection(keyHex), { path, start }, { ...options, throttle }),
    readMany: (keyHex, paths) => readManyCall(connection(keyHex), paths, { throttle }),
  };
}
