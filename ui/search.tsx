/** @jsxImportSource preact */
/**
 * The Search screen: one query to every connected peer at once, results grouped by peer, each
 * peer's group shown as it answers.
 */
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import {
  FILE_KINDS,
  type FileKind,
  HdpError,
  type LsEntry,
  type PeerRef,
  type PeerSearchResult,
  type SearchFilter,
  type Totals,
} from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { PAGE_SIZE } from "./browse.tsx";
import { type DownloadedIndex, isDownloaded } from "./downloaded_index.ts";
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

const KIND_LABELS: Record<FileKind, string> = {
  audio: "Audio",
  video: "Video",
  pictures: "Pictures",
  documents: "Documents",
};

/** The sizes a search may ask at least (bytes, decimal units as elsewhere in the UI). */
const MIN_SIZES = [
  { label: "Any size", bytes: 0 },
  { label: "1 MB or more", bytes: 1e6 },
  { label: "10 MB or more", bytes: 1e7 },
  { label: "100 MB or more", bytes: 1e8 },
  { label: "1 GB or more", bytes: 1e9 },
] as const;

/** The search's narrowing as the form holds it. */
function filterOf(kind: FileKind | "", minSize: number): SearchFilter {
  return { ...(kind ? { kinds: [kind] } : {}), ...(minSize > 0 ? { minSize } : {}) };
}

/** The Search screen; `downloaded` marks what is had. */
export function Search({ downloaded }: { downloaded: DownloadedIndex }): JSX.Element {
  const { client } = useApp();
  const [term, setTerm] = useState("");
  const [searched, setSearched] = useState("");
  const [kind, setKind] = useState<FileKind | "">("");
  const [minSize, setMinSize] = useState(0);
  /** The narrowing of the search shown: its further pages ask the same. */
  const narrowed = useRef<SearchFilter>({});
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
        ...narrowed.current,
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
    setResults([]);
    setSearching(true);
    narrowed.current = filterOf(kind, minSize);
    try {
      // each peer's group shows as it answers: a slow peer does not hold back the others
      const stream = client.searchStream(query, { ...narrowed.current, limit: PAGE_SIZE });
      for await (const result of stream) {
        if (id !== run.current) break; // a newer search took over
        setResults((all) => [...(all ?? []), resultsOf(result)]);
      }
    } catch (failure) {
      if (id === run.current) setError(failure);
    } finally {
      if (id === run.current) setSearching(false);
    }
  };

  return (
    <div class="screen">
      <section class="card">
        <h2 class="visually-hidden">Search</h2>
        <form class="inline-form search-form" role="search" onSubmit={search}>
          <input
            type="search"
            placeholder="Search the files of connected peers"
            aria-label="Search"
            value={term}
            onInput={(event) => setTerm(event.currentTarget.value)}
            data-testid="search-input"
          />
          <select
            aria-label="Kind of file"
            value={kind}
            onChange={(event) => setKind(event.currentTarget.value as FileKind | "")}
            data-testid="search-kind"
          >
            <option value="">Any kind</option>
            {FILE_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
          <select
            aria-label="Size"
            value={String(minSize)}
            onChange={(event) => setMinSize(Number(event.currentTarget.value))}
            data-testid="search-size"
          >
            {MIN_SIZES.map((s) => <option key={s.bytes} value={String(s.bytes)}>{s.label}</option>)}
          </select>
          <button type="submit" disabled={!term.trim()} data-testid="search-button">Search</button>
        </form>
        {error !== undefined && <ErrorNote error={error} />}
      </section>
      {searching && <Loading label="Searching…" />}
      {!searching && results?.length === 0 && (
        <Empty>No peer is connected: connect one on the Peers tab.</Empty>
      )}
      {results?.map((r) => (
        <PeerGroup
          key={r.peer.keyHex}
          results={r}
          searched={searched}
          downloaded={downloaded}
          onMore={() => fetchMore(run.current, searched, r)}
        />
      ))}
    </div>
  );
}

function PeerGroup({ results, searched, downloaded, onMore }: {
  results: PeerResults;
  searched: string;
  downloaded: DownloadedIndex;
  onMore: () => void;
}): JSX.Element {
  const { peer, entries, totals, loading, error, cursor } = results;
  return (
    <section class="card" data-testid={`results-${peer.name}`}>
      <header class="card-head">
        <h2>{peer.name}</h2>
        <span class="sub">
          {totals
            ? `${plural(totals.files, "file")} · ${formatBytes(totals.bytes)}${
              cursor ? ` · ${entries.length} shown` : ""
            }`
            : cursor
            ? `${entries.length}+ results`
            : plural(entries.length, "result")}
          {results.partial && " · still indexing"}
        </span>
      </header>
      {entries.length > 0 && (
        <ul class="rows">
          {entries.map((entry) => (
            <EntryRow
              key={entry.name}
              peer={peer.keyHex}
              peerName={peer.name}
              entry={entry}
              showFolder
              downloaded={isDownloaded(downloaded, peer.keyHex, entry.name)}
            />
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
