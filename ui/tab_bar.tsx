/** @jsxImportSource preact */
/** The tabs under the header; Friends carries the count of friend requests waiting for an answer. */
import type { JSX } from "preact";
import { plural } from "./format.ts";
import { type Route, routeHash, type Tab, TABS } from "./route.ts";

const TAB_LABELS: Record<Tab, string> = {
  home: "Home",
  peers: "Peers",
  friends: "Friends",
  search: "Search",
  transfers: "Transfers",
};

/** The tab bar; `requests` is how many peers ask to be friends. */
export function TabBar({ route, requests }: { route: Route; requests: number }): JSX.Element {
  return (
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
          {tab === "friends" && requests > 0 && (
            <>
              <span class="tab-count" aria-hidden="true" data-testid="requests-count">
                {requests}
              </span>
              <span class="visually-hidden">{` (${plural(requests, "friend request")})`}</span>
            </>
          )}
        </a>
      ))}
    </nav>
  );
}
