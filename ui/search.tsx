/** @jsxImportSource preact */
/** The Search screen: one query to every connected peer at once, results grouped by peer. */
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import {
  HdpError,
  type LsEntry,
  type PeerRef,
  type PeerSearchResult,
  type Totals,
} from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { PAGE_SIZE } from "./browse.tsx";
import { EntryRow } from "./entry_row.tsx";
import { formatBytes, plural } from "./format.ts";
import { Empty, ErrorNote, Loading } from "./status.tsx";

/** One peer's answer to the search. */
interface PeerResults {
  peer: PeerRef;
  entries: LsEntry[];
  cursor: string | undefined;
  totals: Totals | undefined;
  partial: boolean;
  loading: boolean;
  error: unknown;
}

/** The Search screen. */
export function Search(): JSX.Element {
  const { client } = useApp();
  const [term, setTerm] = useState("");
  const [searched, setSearched] = useState("");
  const [results, setResults] = useState<PeerResults[] | undefined>(undefined);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useRef(0);

  const update = (id: number, key: string, change: Partial<PeerResults>) => {
    if (id !== run.current) return; // an answer to an older search
    setResults((all) => all?.map((r) => r.peer.keyHex === key ? { ...r, ...change } : r));
  };
  // the next page of one peer (or its first again, after that peer failed)
  const fetchMore = async (id: number, query: string, r: PeerResults) => {
    update(id, r.peer.keyHex, { loading: true, error: undefined });
    try {
      const { results: [page] } = await client.search(query, {
        peer: r.peer.keyHex,
        limit: PAGE_SIZE,
        ...(r.cursor ? { cursor: r.cursor } : {}),
      });
      if (!page) throw new HdpError("PROTOCOL", "The daemon answered no result for this peer");
      update(id, r.peer.keyHex, { ...resultsOf(page), entries: [...r.entries, ...page.entries] });
    } catch (failure) {
      update(id, r.peer.keyHex, { loading: false, error: failure });
    }
  };
  // every connected peer at once, through the daemon's one search
  const search = async (event: Event) => {
    event.preventDefault();
    const query = term.trim();
    if (!query) return;
    const id = ++run.current;
    setError(undefined);
    setSearched(query);
    setResults(undefined);
    setSearching(true);
    try {
      const answer = await client.search(query, { limit: PAGE_SIZE });
      if (id === run.current) setResults(answer.results.map(resultsOf));
    } catch (failure) {
      if (id === run.current) setError(failure);
    } finally {
      if (id === run.current) setSearching(false);
    }
  };

  return (
    <div class="screen">
      <section class="card">
        <form class="inline-form search-form" role="search" onSubmit={search}>
          <input
            type="search"
            placeholder="Search the files of connected peers"
            aria-label="Search"
            value={term}
            onInput={(event) => setTerm(event.currentTarget.value)}
            data-testid="search-input"
          />
          <button type="submit" disabled={!term.trim()} data-testid="search-button">Search</button>
        </form>
        {error !== undefined && <ErrorNote error={error} />}
      </section>
      {searching && <Loading label="Searching…" />}
      {results?.length === 0 && <Empty>No peer is connected: connect one on the Peers tab.</Empty>}
      {results?.map((r) => (
        <PeerGroup
          key={r.peer.keyHex}
          results={r}
          searched={searched}
          onMore={() => fetchMore(run.current, searched, r)}
        />
      ))}
    </div>
  );
}

function PeerGroup(
  { results, searched, onMore }: { results: PeerResults; searched: string; onMore: () => void },
): JSX.Element {
  const { peer, entries, totals, loading, error, cursor } = results;
  return (
    <section class="card" data-testid={`results-${peer.name}`}>
      <header class="card-head">
        <h2>{peer.name}</h2>
        <span class="sub">
          {totals
            ? `${plural(totals.files, "file")} · ${formatBytes(totals.bytes)}`
            : plural(entries.length, "result")}
          {results.partial && " · still indexing"}
        </span>
      </header>
      {entries.length > 0 && (
        <ul class="rows">
          {entries.map((entry) => (
            <EntryRow key={entry.name} peer={peer.keyHex} entry={entry} showFolder />
          ))}
        </ul>
      )}
      {error !== undefined && <ErrorNote error={error} onRetry={onMore} />}
      {loading
        ? <Loading label="Searching…" />
        : entries.length === 0 && error === undefined && (
          <Empty>Nothing matches “{searched}”.</Empty>
        )}
      {cursor && !loading && <button type="button" class="more" onClick={onMore}>Load more</button>}
    </section>
  );
}

function resultsOf(result: PeerSearchResult): PeerResults {
  return {
    peer: result.peer,
    entries: result.entries,
    cursor: result.cursor,
    totals: result.totals,
    partial: result.partial,
    loading: false,
    error: result.error ? new HdpError(result.error.code, result.error.message) : undefined,
  };
}
