/** @jsxImportSource preact */
/** The friend requests waiting for an answer, each with Accept and Refuse. */
import type { JSX } from "preact";
import type { PeerInfo } from "../src/api/light.ts";
import { friendRequests } from "./standing.ts";
import { ErrorNote, ListOf } from "./status.tsx";
import type { Loaded } from "./use_load.ts";
import { type StandingChange, useStandingChange } from "./use_standing.ts";

/** The requests card, at the top of the Friends screen. */
export function FriendRequests({ peers }: { peers: Loaded<PeerInfo[]> }): JSX.Element {
  const change = useStandingChange(peers);
  const requests = { ...peers, data: peers.data && friendRequests(peers.data) };
  return (
    <section class="card" aria-labelledby="requests-title" data-testid="friend-requests">
      <h2 id="requests-title">Friend requests</h2>
      {change.error !== undefined && <ErrorNote error={change.error} />}
      <ListOf
        loaded={requests}
        empty="No requests: a peer that connects with your announce address asks here."
      >
        {(list) => (
          <ul class="rows">
            {list.map((peer) => <RequestRow key={peer.keyHex} peer={peer} change={change} />)}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function RequestRow({ peer, change }: { peer: PeerInfo; change: StandingChange }): JSX.Element {
  return (
    <li class="row request" data-testid={`request-${peer.name}`}>
      <div class="grow">
        <div class="title">
          <strong>{peer.name}</strong> wants to be your friend
        </div>
        <div class="sub mono" title={peer.keyHex}>{peer.keyHex.slice(0, 16)}…</div>
      </div>
      <div class="actions">
        <button
          type="button"
          disabled={change.busy}
          onClick={() => change.set(peer, "friend")}
          aria-label={`Accept ${peer.name}`}
          data-testid={`accept-${peer.name}`}
        >
          Accept
        </button>
        <button
          type="button"
          class="quiet"
          disabled={change.busy}
          onClick={() => change.set(peer, "known")}
          aria-label={`Refuse ${peer.name}`}
          data-testid={`refuse-${peer.name}`}
        >
          Refuse
        </button>
      </div>
    </li>
  );
}
