/**
 * Searching peers for `GET /api/search`: one query fanned out to every connected peer at once,
 * each peer's page or error kept apart, so the UI and the CLI do not each write the fan-out; whole,
 * or streamed as the peers answer (`&stream=1`).
 */
import type { HdpNode, PeerLsPage } from "../node/mod.ts";
import { withTimeout } from "../transport/mod.ts";
import {
  DEFAULT_LS_LIMIT,
  hdpError,
  type LsQuery,
  passes,
  reasonOf,
  type SearchFilter,
} from "../wire/mod.ts";
import type {
  PeerRef,
  PeerSearchResult,
  SearchLine,
  SearchQuery,
  SearchResponse,
} from "./types.ts";

/** What a search needs of the node. */
export type SearchNode = Pick<HdpNode, "peers" | "peerLs">;

/** How long one peer may take to answer a search before it counts as timed out. */
export const SEARCH_PEER_TIMEOUT_MS = 10_000;

/**
 * The most entries one search asks of all peers together: with many peers each is asked for
 * fewer (at least one), so a popular term cannot flood the node; their cursors give the rest.
 */
export const MAX_SEARCH_ENTRIES = 10_000;

/** Options of {@link searchEach}. */
export interface SearchOptions {
  /** Default {@link SEARCH_PEER_TIMEOUT_MS}. */
  peerTimeoutMs?: number;
}

/** A search under way: how many peers were asked, and their results as they answer. */
export interface SearchRun {
  /** The peers asked, in the order of `GET /api/peers` (empty with `single`). */
  asked: PeerRef[];
  /** Only the query's `peer` was asked: its error is thrown by `results`. */
  single: boolean;
  /** One result per peer asked, in the order they answer (or time out). */
  results: AsyncGenerator<PeerSearchResult>;
}

/**
 * Asks every connected peer (or only `query.peer`) for one page of matches, all at once, and
 * yields each peer's result as it comes. A peer that fails or does not answer within the timeout
 * is a result with its `error`; with `query.peer` its error is thrown instead.
 */
export function searchEach(
  node: SearchNode,
  query: SearchQuery,
  options: SearchOptions = {},
): SearchRun {
  const filter: SearchFilter = {
    ...(query.kinds ? { kinds: query.kinds } : {}),
    ...(query.minSize !== undefined ? { minSize: query.minSize } : {}),
    ...(query.maxSize !== undefined ? { maxSize: query.maxSize } : {}),
  };
  const peers: PeerRef[] = query.peer !== undefined
    ? []
    : node.peers().filter((peer) => peer.status === "connected").map(({ keyHex, name }) => ({
      keyHex,
      name,
    }));
  const limit = capped(query.limit, Math.max(1, peers.length));
  const ls: LsQuery = {
    path: "",
    searchTerm: query.term,
    ...filter,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  const timeoutMs = options.peerTimeoutMs ?? SEARCH_PEER_TIMEOUT_MS;
  if (query.peer !== undefined) {
    const only = query.peer;
    return {
      asked: [],
      single: true,
      results: (async function* () {
        yield resultOf(await within(node.peerLs(only, ls), timeoutMs, only), filter);
      })(),
    };
  }
  const answers = peers.map(async (peer): Promise<PeerSearchResult> => {
    try {
      return resultOf(await within(node.peerLs(peer.keyHex, ls), timeoutMs, peer.name), filter);
    } catch (error) {
      return { peer, entries: [], partial: false, error: reasonOf(error) };
    }
  });
  return { asked: peers, single: false, results: inOrderOfArrival(answers) };
}

/** Every peer's result of {@link searchEach}, in the order of `GET /api/peers`. */
export async function searchPeers(
  node: SearchNode,
  query: SearchQuery,
  options: SearchOptions = {},
): Promise<SearchResponse> {
  const run = searchEach(node, query, options);
  const results = await Array.fromAsync(run.results);
  const order = new Map(run.asked.map((peer, i) => [peer.keyHex, i]));
  results.sort((a, b) => (order.get(a.peer.keyHex) ?? 0) - (order.get(b.peer.keyHex) ?? 0));
  return { results };
}

/** The content type of a streamed search. */
export const SEARCH_STREAM_TYPE = "application/x-ndjson; charset=utf-8";

/**
 * A search's results as newline-delimited JSON ({@link SearchLine}), each line as its peer
 * answers. With `query.peer` the one result is awaited first, so that its error is the answer's.
 */
export async function searchStream(run: SearchRun): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const line = (value: SearchLine) => encoder.encode(`${JSON.stringify(value)}\n`);
  let first = run.single ? await run.results.next() : undefined;
  return new ReadableStream({
    async pull(controller) {
      const next = first ?? await run.results.next();
      first = undefined;
      if (next.done) {
        controller.enqueue(line({ type: "end", asked: run.single ? 1 : run.asked.length }));
        controller.close();
      } else {
        controller.enqueue(line({ type: "result", result: next.value }));
      }
    },
    async cancel() {
      await run.results.return(undefined);
    },
  });
}

/** The page size to ask each of `peers` peers for, within {@link MAX_SEARCH_ENTRIES} in all. */
function capped(limit: number | undefined, peers: number): number | undefined {
  const share = Math.max(1, Math.floor(MAX_SEARCH_ENTRIES / peers));
  if (limit === undefined) return DEFAULT_LS_LIMIT <= share ? undefined : share;
  return Math.min(limit, share);
}

/** `answer`, or a `TIMEOUT` naming `who` when it takes longer than `ms`. */
function within<T>(answer: Promise<T>, ms: number, who: string): Promise<T> {
  return withTimeout(answer, {
    ms,
    error: () => hdpError("TIMEOUT", `${who} did not answer the search within ${ms / 1000} s`),
  });
}

/** The values of `promises` (which never reject) as each settles. */
async function* inOrderOfArrival<T>(promises: Promise<T>[]): AsyncGenerator<T> {
  const pending = new Map(promises.map((p, i) => [i, p.then((value) => ({ i, value }))]));
  while (pending.size > 0) {
    const { i, value } = await Promise.race(pending.values());
    pending.delete(i);
    yield value;
  }
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
