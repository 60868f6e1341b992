/** Changing a peer's standing from a button; the list takes the daemon's answer at once. */
import type { OwnerStanding, PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { upsert } from "./lists.ts";
import { type Action, useAction } from "./use_action.ts";
import type { Loaded } from "./use_load.ts";
import { peerKey } from "./use_peers.ts";

/** What {@link useStandingChange} gives: the action's state and the call its buttons make. */
export interface StandingChange extends Action {
  /** Asks the daemon for `standing` (its "peer" event follows, too). */
  set(peer: PeerInfo, standing: OwnerStanding): void;
}

/** Standing changes whose answers go into `peers`. */
export function useStandingChange(peers: Loaded<PeerInfo[]>): StandingChange {
  const { client } = useApp();
  const action = useAction();
  const set = (peer: PeerInfo, standing: OwnerStanding) =>
    void action.run(async () => {
      const changed = await client.setPeerStanding(peer.keyHex, standing);
      peers.update((list) => upsert(list, changed, peerKey));
    });
  return { ...action, set };
}
