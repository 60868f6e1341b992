/** Hash routes (`#peers/<key>/Music/Jazz`): which screen shows what; pure functions, no DOM. */

import { encodePath } from "./paths.ts";

/** The screens of the app, as the tab bar names them. */
export const TABS = ["home", "peers", "friends", "search", "transfers", "settings"] as const;

/** One of {@link TABS}. */
export type Tab = typeof TABS[number];

/** Where the app is. */
export type Route = { tab: Tab } | BrowseRoute;

/** A peer's files: `path` is "" for its shares, `share/dir` below. */
export interface BrowseRoute {
  tab: "peers";
  peer: string;
  path: string;
}

/** Reads a `location.hash`; anything unknown is the home screen. */
export function parseRoute(hash: string): Route {
  const [head = "", key, ...rest] = hash.replace(/^#\/?/, "").split("/");
  if (head === "peers" && key) {
    return { tab: "peers", peer: decode(key), path: rest.map(decode).join("/") };
  }
  const tab = TABS.find((t) => t === head);
  return { tab: tab ?? "home" };
}

/** The hash of a route; each path segment is URL-encoded. */
export function routeHash(route: Route): string {
  if ("peer" in route) {
    const path = route.path ? `/${encodePath(route.path)}` : "";
    return `#peers/${encodeURIComponent(route.peer)}${path}`;
  }
  return `#${route.tab}`;
}

/** The hash that browses a folder of a peer. */
export function browseHash(peer: string, path: string): string {
  return routeHash({ tab: "peers", peer, path });
}

/** The token in a `#token=…` hash, which a shared link may carry. */
export function tokenFromHash(hash: string): string | undefined {
  const match = /^#token=(.+)$/.exec(hash);
  return match?.[1] ? decode(match[1]) : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a hand-typed `%` is kept as it is
  }
}

const TAB_TITLES: Record<Tab, string> = {
  home: "Home",
  peers: "Peers",
  friends: "Friends",
  search: "Search",
  transfers: "Transfers",
  settings: "Settings",
};

/**
 * The page's title for a route: `Transfers · harddrive-party`, or `Björk/Homogenic · KindOtter ·
 * harddrive-party` while browsing (`peerName` names the peer of a key).
 */
export function routeTitle(route: Route, peerName?: (peer: string) => string | undefined): string {
  const app = "harddrive-party";
  if (!("peer" in route)) return `${TAB_TITLES[route.tab]} · ${app}`;
  const peer = peerName?.(route.peer) ?? route.peer.slice(0, 12);
  return route.path ? `${route.path} · ${peer} · ${app}` : `${peer} · ${app}`;
}
