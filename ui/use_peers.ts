/** The peer table, loaded from the daemon and kept current by its "peer" and "peer-removed" events. */
import type { PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { upsert, without } from "./lists.ts";
import { type Loaded, useLoad } from "./use_load.ts";

/** Every peer this node knows, live. */
export function usePeers(): Loaded<PeerInfo[]> {
  const { client } = useApp();
  const peers = useLoad(() => client.peers(), []);
  useNodeEvent((event) => {
    if (event.type === "peer") peers.update((list) => upsert(list, event.peer, peerKey));
    if (event.type === "peer-removed") {
      peers.update((list) => without(list, event.keyHex, peerKey));
    }
  });
  return peers;
}

/** A peer's key, the identity lists keep it by. */
export function peerKey(peer: PeerInfo): string {
  return peer.keyHex;
}
