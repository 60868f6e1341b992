/** @jsxImportSource preact */
/** Browsing a peer's files: breadcrumbs, folders with sizes, files, pages, downloads. */
import { Fragment, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { LsEntry, PeerLsPage } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { DownloadButton } from "./download_button.tsx";
import { DownloadedMark } from "./downloaded_mark.tsx";
import { type DownloadedIndex, isDownloaded } from "./downloaded_index.ts";
import { EntryRow } from "./entry_row.tsx";
import { formatBytes, plural } from "./format.ts";
import { crumbs } from "./paths.ts";
import { browseHash } from "./route.ts";
import { Empty, ErrorNote, Loading } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** Entries per page: enough to scroll, few enough to render at once on a phone. */
export const PAGE_SIZE = 200;

/** Pages fetched after the first one. */
interface More {
  entries: LsEntry[];
  cursor: string | undefined;
}

/** The files of `peer` (a key) at `path` ("" for its shares); `downloaded` marks what is had. */
export function Browse(
  { peer, path, downloaded }: { peer: string; path: string; downloaded: DownloadedIndex },
): JSX.Element {
  const { client } = useApp();
  const first = useLoad(() => client.peerLs(peer, { path, limit: PAGE_SIZE }), [peer, path]);
  const [more, setMore] = useState<More | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setMore(undefined);
    setMoreError(undefined);
  }, [first.data]);

  const cursor = more ? more.cursor : first.data?.cursor;
  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await client.peerLs(peer, { path, cursor, limit: PAGE_SIZE });
      setMore((m) => ({ entries: [...(m?.entries ?? []), ...page.entries], cursor: page.cursor }));
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const page = first.data;
  const entries = page ? [...page.entries, ...(more?.entries ?? [])] : [];
  return (
    <div class="screen">
      <section class="card">
        <h2 class="visually-hidden" data-testid="browse-title">
          {`Files of ${page?.peer.name ?? "a peer"}${path ? `: ${path}` : ""}`}
        </h2>
        <Breadcrumbs peer={peer} peerName={page?.peer.name} path={path} />
        {page && (
          <Summary
            page={page}
            peer={peer}
            path={path}
            downloaded={isDownloaded(downloaded, peer, path)}
          />
        )}
        {page === undefined
          ? first.error ? <ErrorNote error={first.error} onRetry={first.reload} /> : <Loading />
          : entries.length === 0
          ? <Empty>{path ? "This folder is empty." : "This peer shares nothing yet."}</Empty>
          : (
            <ul class="rows" data-testid="entries">
              {entries.map((entry) => (
                <EntryRow
                  key={entry.name}
                  peer={peer}
                  peerName={page.peer.name}
                  entry={entry}
                  siblings={cursor ? undefined : entries}
                  downloaded={isDownloaded(downloaded, peer, entry.name)}
                />
              ))}
            </ul>
          )}
        {moreError !== undefined && <ErrorNote error={moreError} onRetry={loadMore} />}
        {cursor && (
          <button
            type="button"
            class="more"
            disabled={loadingMore}
            onClick={loadMore}
            data-testid="load-more"
          >
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        )}
      </section>
    </div>
  );
}

function Breadcrumbs(
  { peer, peerName, path }: { peer: string; peerName: string | undefined; path: string },
): JSX.Element {
  const parts = crumbs(path);
  return (
    <nav class="crumbs" aria-label="Folder" data-testid="breadcrumbs">
      <a href="#peers">Peers</a>
      <span class="sep">/</span>
      {parts.length
        ? <a href={browseHash(peer, "")}>{peerName ?? "…"}</a>
        : <strong>{peerName ?? "…"}</strong>}
      {parts.map((crumb, i) => (
        <Fragment key={crumb.path}>
          <span class="sep">/</span>
          {i === parts.length - 1
            ? <strong>{crumb.label}</strong>
            : <a href={browseHash(peer, crumb.path)}>{crumb.label}</a>}
        </Fragment>
      ))}
    </nav>
  );
}

function Summary(
  { page, peer, path, downloaded }: {
    page: PeerLsPage;
    peer: string;
    path: string;
    downloaded: boolean;
  },
): JSX.Element {
  const { isSelf } = useApp();
  return (
    <div class="summary">
      <span class="sub">
        {page.totals && `${plural(page.totals.files, "file")} · ${formatBytes(page.totals.bytes)}`}
        {page.partial && " · still indexing: the list may be incomplete"}
      </span>
      {path && !isSelf(peer) && (
        <span class="entry-actions">
          {downloaded && <DownloadedMark testid={`downloaded-${path}`} />}
          <DownloadButton peer={peer} path={path} label="Download folder" />
        </span>
      )}
    </div>
  );
}
