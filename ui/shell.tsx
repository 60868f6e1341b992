/** @jsxImportSource preact */
/** The app's frame once the token is accepted: header, tabs, and the screen of the route. */
import type { JSX } from "preact";
import { useMemo } from "preact/hooks";
import type { ApiClient } from "../src/api/light.ts";
import { Browse } from "./browse.tsx";
import { type AppContext, AppState } from "./context.ts";
import { useEventStream } from "./events.ts";
import { Home } from "./home.tsx";
import { createHub } from "./hub.ts";
import { LinkIndicator } from "./link_indicator.tsx";
import { Peers } from "./peers.tsx";
import { type Route, routeHash, type Tab, TABS } from "./route.ts";
import { Search } from "./search.tsx";
import { Transfers } from "./transfers.tsx";
import { useRoute } from "./use_route.ts";

const TAB_LABELS: Record<Tab, string> = {
  home: "Home",
  peers: "Peers",
  search: "Search",
  transfers: "Transfers",
};

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
  const route = useRoute();
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
      <header class="top">
        <div class="top-inner">
          <a class="brand" href="#home">harddrive-party</a>
          <LinkIndicator state={state} />
        </div>
        <nav class="tabs" aria-label="Screens">
          {TABS.map((tab) => (
            <a
              key={tab}
              href={routeHash({ tab })}
              class={route.tab === tab ? "tab active" : "tab"}
              aria-current={route.tab === tab ? "page" : undefined}
              data-testid={`tab-${tab}`}
            >
              {TAB_LABELS[tab]}
            </a>
          ))}
        </nav>
      </header>
      <main class="main">
        <div hidden={route.tab !== "home"}>
          <Home />
        </div>
        <div hidden={route.tab !== "peers"}>
          <PeersTab route={route} />
        </div>
        <div hidden={route.tab !== "search"}>
          <Search />
        </div>
        <div hidden={route.tab !== "transfers"}>
          <Transfers />
        </div>
      </main>
    </AppState.Provider>
  );
}

function PeersTab({ route }: { route: Route }): JSX.Element {
  return "peer" in route ? <Browse peer={route.peer} path={route.path} /> : <Peers />;
}
