/** @jsxImportSource preact */
/** The app's frame once the token is accepted: header, tabs, and the screen of the route. */
import type { JSX } from "preact";
import { useMemo } from "preact/hooks";
import type { ApiClient, PeerInfo } from "../src/api/light.ts";
import { Browse } from "./browse.tsx";
import { type AppContext, AppState } from "./context.ts";
import { type LinkState, useEventStream } from "./events.ts";
import { Friends } from "./friends.tsx";
import { Home } from "./home.tsx";
import { createHub } from "./hub.ts";
import { LinkIndicator } from "./link_indicator.tsx";
import { Peers } from "./peers.tsx";
import type { Route } from "./route.ts";
import { Search } from "./search.tsx";
import { friendRequests } from "./standing.ts";
import { TabBar } from "./tab_bar.tsx";
import { Transfers } from "./transfers.tsx";
import { useBandwidth } from "./use_bandwidth.ts";
import type { Loaded } from "./use_load.ts";
import { usePeers } from "./use_peers.ts";
import { useRoute } from "./use_route.ts";

/** What the shell needs from the login step. */
export interface ShellProps {
  client: ApiClient;
  token: string | undefined;
  onUnauthorized: () => void;
  /** This node's name and key, once known. */
  self: { name: string; publicKey: string } | undefined;
}

/** The app with its tabs; every screen stays mounted (and live) while another one shows. */
export function Shell({ client, token, onUnauthorized, self }: ShellProps): JSX.Element {
  const hub = useMemo(createHub, []);
  const { state, epoch } = useEventStream(client.eventsUrl(), hub);
  const app = useMemo<AppContext>(
    () => ({
      client,
      hub,
      epoch,
      token,
      unauthorized: onUnauthorized,
      isSelf: (peer) => self !== undefined && (peer === self.publicKey || peer === self.name),
    }),
    [client, hub, epoch, token, onUnauthorized, self],
  );
  return (
    <AppState.Provider value={app}>
      <Frame state={state} />
    </AppState.Provider>
  );
}

/**
 * Inside the app's context: the peer table and the bandwidth are kept here, for the screens and
 * the tab bar.
 */
function Frame({ state }: { state: LinkState }): JSX.Element {
  const route = useRoute();
  const peers = usePeers();
  const bandwidth = useBandwidth();
  const requests = peers.data ? friendRequests(peers.data).length : 0;
  return (
    <>
      <header class="top">
        <div class="top-inner">
          <a class="brand" href="#home">harddrive-party</a>
          <LinkIndicator state={state} />
        </div>
        <TabBar route={route} requests={requests} />
      </header>
      <main class="main">
        <div hidden={route.tab !== "home"}>
          <Home />
        </div>
        <div hidden={route.tab !== "peers"}>
          <PeersTab route={route} peers={peers} />
        </div>
        <div hidden={route.tab !== "friends"}>
          <Friends peers={peers} bandwidth={bandwidth} />
        </div>
        <div hidden={route.tab !== "search"}>
          <Search />
        </div>
        <div hidden={route.tab !== "transfers"}>
          <Transfers bandwidth={bandwidth} />
        </div>
      </main>
    </>
  );
}

function PeersTab({ route, peers }: { route: Route; peers: Loaded<PeerInfo[]> }): JSX.Element {
  return "peer" in route ? <Browse peer={route.peer} path={route.path} /> : <Peers peers={peers} />;
}
