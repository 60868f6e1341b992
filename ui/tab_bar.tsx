/** @jsxImportSource preact */
/**
 * The tabs under the header; Friends carries the count of friend requests waiting for an answer,
 * Transfers the count of downloads under way.
 */
import type { JSX } from "preact";
import { plural } from "./format.ts";
import { type Route, routeHash, type Tab, TABS } from "./route.ts";

const TAB_LABELS: Record<Tab, string> = {
  home: "Home",
  peers: "Peers",
  friends: "Friends",
  search: "Search",
  transfers: "Transfers",
  settings: "Settings",
};

/** The tab bar; `requests` is how many peers ask to be friends, `active` how many downloads run. */
export function TabBar(
  { route, requests, active }: { route: Route; requests: number; active: number },
): JSX.Element {
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
          {tab === "transfers" && active > 0 && (
            <>
              <span class="tab-count" aria-hidden="true" data-testid="active-count">
                {active}
              </span>
              <span class="visually-hidden">{` (${plural(active, "active download")})`}</span>
            </>
          )}
        </a>
      ))}
    </nav>
  );
}
