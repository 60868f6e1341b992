/** @jsxImportSource preact */
/**
 * The Friends screen: friend requests first, then every peer's standing (and speed cap), who sees
 * each share, and whom this node lets connect at all.
 */
import type { JSX } from "preact";
import type { AcceptPolicy, NodeInfo, PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { FriendRequests } from "./friend_requests.tsx";
import { ShareAudiences } from "./share_audiences.tsx";
import { StandingList } from "./standing_list.tsx";
import { ErrorNote, Loading } from "./status.tsx";
import type { Bandwidth } from "./use_bandwidth.ts";
import { type Loaded, useLoad } from "./use_load.ts";

/** Each accept policy in words. */
export const ACCEPT_LABELS: Record<AcceptPolicy, string> = {
  everyone: "Anyone: each peer sees only the shares its standing allows",
  known: "Peers this node knows of: strangers are refused",
  friends: "Friends only: every other peer is refused",
};

/** The Friends screen; `peers` is the live peer table the shell keeps, `bandwidth` its caps. */
export function Friends(
  { peers, bandwidth }: { peers: Loaded<PeerInfo[]>; bandwidth: Bandwidth },
): JSX.Element {
  return (
    <div class="screen">
      <FriendRequests peers={peers} />
      <StandingList peers={peers} bandwidth={bandwidth} />
      <ShareAudiences peers={peers.data ?? []} />
      <Policy />
    </div>
  );
}

function Policy(): JSX.Element {
  const { client } = useApp();
  const info = useLoad(() => client.info(), []);
  useNodeEvent((event) => {
    if (event.type === "info") info.reload();
  });
  return (
    <section class="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Who may connect</h2>
      {info.data
        ? <PolicyFacts info={info.data} />
        : info.error
        ? <ErrorNote error={info.error} onRetry={info.reload} />
        : <Loading />}
      <p class="sub">
        Set when the daemon starts, with <code>--accept</code> and <code>--no-gossip-me</code>.
      </p>
    </section>
  );
}

function PolicyFacts({ info }: { info: NodeInfo }): JSX.Element {
  return (
    <dl class="facts">
      <dt>Accepts</dt>
      <dd data-testid="accept-policy">{ACCEPT_LABELS[info.accept]}</dd>
      <dt>Passed on</dt>
      <dd data-testid="unlisted">
        {info.unlisted
          ? "No: this node asks its peers not to give its address to others"
          : "Yes: a friend may introduce this node to its other friends"}
      </dd>
    </dl>
  );
}
