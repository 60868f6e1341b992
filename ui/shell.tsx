/** @jsxImportSource preact */
/** The app's frame once the token is accepted: header, tabs, and the screen of the route. */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { ApiClient, PeerInfo } from "../src/api/light.ts";
import { Browse } from "./browse.tsx";
import { type AppContext, AppState } from "./context.ts";
import { type LinkState, useEventStream } from "./events.ts";
import { Friends } from "./friends.tsx";
import { Home } from "./home.tsx";
import { createHub } from "./hub.ts";
import { LinkIndicator } from "./link_indicator.tsx";
import { Peers } from "./peers.tsx";
import { PlayerBar } from "./player_bar.tsx";
import { PlayerState } from "./player_context.ts";
import { type Route, routeHash, routeTitle } from "./route.ts";
import { Search } from "./search.tsx";
import { Settings } from "./settings.tsx";
import { friendRequests } from "./standing.ts";
import { TabBar } from "./tab_bar.tsx";
import { ToastList } from "./toast_list.tsx";
import { Transfers } from "./transfers.tsx";
import { type DownloadedIndex, downloadedIndex } from "./downloaded_index.ts";
import { filterCounts } from "./transfer_filter.ts";
import { useBandwidth } from "./use_bandwidth.ts";
import { useDownloads } from "./use_downloads.ts";
import { useMediaPlayer } from "./use_media_player.ts";
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

/**
 * The app with its tabs; every screen stays mounted (and live) while another one shows, and the
 * player bar below them all plays on whichever shows.
 */
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
  const player = useMediaPlayer(client);
  return (
    <AppState.Provider value={app}>
      <PlayerState.Provider value={player}>
        <Frame state={state} />
      </PlayerState.Provider>
    </AppState.Provider>
  );
}

/**
 * Inside the app's context: the peer table, the bandwidth and the download list are kept here,
 * for the screens and the tab bar.
 */
function Frame({ state }: { state: LinkState }): JSX.Element {
  const route = useRoute();
  const peers = usePeers();
  const bandwidth = useBandwidth();
  const downloads = useDownloads();
  const downloaded = useMemo(() => downloadedIndex(downloads.data ?? []), [downloads.data]);
  const requests = peers.data ? friendRequests(peers.data).length : 0;
  const active = filterCounts(downloads.data ?? []).active;
  const main = useRef<HTMLElement>(null);
  const where = routeHash(route);
  const shown = useRef(where);
  useEffect(() => {
    const named = (peer: string) =>
      peers.data?.find((p) => p.keyHex === peer || p.name === peer)?.name;
    document.title = routeTitle(route, named);
  }, [where, peers.data]);
  // after a navigation (not the first view), focus goes to the new screen's heading, so a screen
  // reader reads where it is and the keyboard goes on from there
  useEffect(() => {
    if (shown.current === where) return;
    shown.current = where;
    focusHeading(main.current?.querySelector<HTMLElement>(`[data-tab="${route.tab}"]`));
  }, [where]);
  return (
    <div class="frame">
      <header class="top">
        <div class="top-inner">
          <a class="brand" href="#home">harddrive-party</a>
          <LinkIndicator state={state} />
        </div>
        <TabBar route={route} requests={requests} active={active} />
      </header>
      <main class="main" ref={main}>
        <div hidden={route.tab !== "home"} data-tab="home">
          <Home />
        </div>
        <div hidden={route.tab !== "peers"} data-tab="peers">
          <PeersTab route={route} peers={peers} downloaded={downloaded} />
        </div>
        <div hidden={route.tab !== "friends"} data-tab="friends">
          <Friends peers={peers} bandwidth={bandwidth} />
        </div>
        <div hidden={route.tab !== "search"} data-tab="search">
          <Search downloaded={downloaded} />
        </div>
        <div hidden={route.tab !== "transfers"} data-tab="transfers">
          <Transfers bandwidth={bandwidth} downloads={downloads} />
        </div>
        <div hidden={route.tab !== "settings"} data-tab="settings">
          <Settings />
        </div>
      </main>
      <ToastList peers={peers.data} />
      <PlayerBar />
    </div>
  );
}

function PeersTab(
  { route, peers, downloaded }: {
    route: Route;
    peers: Loaded<PeerInfo[]>;
    downloaded: DownloadedIndex;
  },
): JSX.Element {
  return "peer" in route
    ? <Browse peer={route.peer} path={route.path} downloaded={downloaded} />
    : <Peers peers={peers} />;
}

/** Focuses the first heading in `screen` (made focusable by script, not by Tab). */
function focusHeading(screen: HTMLElement | null | undefined): void {
  const heading = screen?.querySelector<HTMLElement>("h1, h2");
  if (!heading) return;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
}
