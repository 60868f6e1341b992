/**
 * Searching peers for `GET /api/search`: one query fanned out to every connected peer at once,
 * each peer's page or error kept apart, so the UI and the CLI do not each write the fan-out.
 */
import type { HdpNode, PeerLsPage } from "../node/mod.ts";
import { type LsQuery, passes, reasonOf, type SearchFilter } from "../wire/mod.ts";
import type { PeerSearchResult, SearchQuery, SearchResponse } from "./types.ts";

/** What a search needs of the node. */
export type SearchNode = Pick<HdpNode, "peers" | "peerLs">;

/**
 * Asks every connected peer (or only `query.peer`) for one page of matches, all at once. A peer
 * that fails is a result with its `error`; with `query.peer` its error is thrown instead.
 */
export async function searchPeers(node: SearchNode, query: SearchQuery): Promise<SearchResponse> {
  const filter: SearchFilter = {
    ...(query.kinds ? { kinds: query.kinds } : {}),
    ...(query.minSize !== undefined ? { minSize: query.minSize } : {}),
    ...(query.maxSize !== undefined ? { maxSize: query.maxSize } : {}),
  };
  const ls: LsQuery = {
    path: "",
    searchTerm: query.term,
    ...filter,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  };
  if (query.peer !== undefined) {
    return { results: [resultOf(await node.peerLs(query.peer, ls), filter)] };
  }
  const peers = node.peers().filter((peer) => peer.status === "connected");
  const results = await Promise.all(peers.map(async (peer): Promise<PeerSearchResult> => {
    try {
      return resultOf(await node.peerLs(peer.keyHex, ls), filter);
    } catch (error) {
      return {
        peer: { keyHex: peer.keyHex, name: peer.name },
        entries: [],
        partial: false,
        error: reasonOf(error),
      };
    }
  }));
  return { results };
}

/**
 * A peer's page as the search answers it. A peer of an older version ignores the filter: its
 * entries are filtered here, and its totals (of everything it matched) are dropped.
 */
function resultOf(page: PeerLsPage, filter: SearchFilter): PeerSearchResult {
  const entries = page.entries.filter((entry) => passes(filter, entry));
  const result: PeerSearchResult = { peer: page.peer, entries, partial: page.partial };
  if (page.cursor !== undefined) result.cursor = page.cursor;
  if (page.totals !== undefined && entries.length === page.entries.length) {
    result.totals = page.totals;
  }
  return result;
}
