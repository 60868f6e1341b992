/** @jsxImportSource preact */
/**
 * The download queue (the shell keeps it live): the total speed each way, filters by state, and
 * "Clear finished", which forgets done and failed downloads (done files stay on disk).
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { DownloadCard } from "./download_card.tsx";
import { downloadOrder } from "./download_order.ts";
import { errorMessage } from "./errors.ts";
import { formatBytes } from "./format.ts";
import { Empty, ListOf } from "./status.tsx";
import {
  filterCounts,
  isFinished,
  matchesFilter,
  TRANSFER_FILTERS,
  type TransferFilter,
} from "./transfer_filter.ts";
import type { Bandwidth } from "./use_bandwidth.ts";
import type { DownloadList } from "./use_downloads.ts";

const FILTER_LABELS: Record<TransferFilter, string> = {
  all: "All",
  active: "Active",
  queued: "Queued",
  done: "Done",
  failed: "Failed",
};

/** The downloads card; `downloads` and `bandwidth` are the live ones the shell keeps. */
export function Downloads(
  { downloads, bandwidth }: { downloads: DownloadList; bandwidth: Bandwidth },
): JSX.Element {
  const [filter, setFilter] = useState<TransferFilter>("all");
  const items = downloads.data ?? [];
  const counts = filterCounts(items);
  return (
    <section class="card" aria-labelledby="downloads-title">
      <header class="card-head">
        <h2 id="downloads-title">Downloads</h2>
        <TotalSpeed bandwidth={bandwidth} />
      </header>
      {items.length > 0 && (
        <div class="filter-bar">
          <div class="filters" role="group" aria-label="Show">
            {TRANSFER_FILTERS.map((f) => (
              <button
                type="button"
                key={f}
                class={f === filter ? "chip active" : "chip"}
                aria-pressed={f === filter}
                onClick={() => setFilter(f)}
                data-testid={`filter-${f}`}
              >
                {FILTER_LABELS[f]} <span class="chip-count">{counts[f]}</span>
              </button>
            ))}
          </div>
          <ClearFinished downloads={downloads} count={items.filter(isFinished).length} />
        </div>
      )}
      <ListOf loaded={downloads} empty="Nothing downloading: browse a peer and pick something.">
        {(all) => {
          const shown = all.filter((item) => matchesFilter(item, filter)).sort(downloadOrder);
          if (shown.length === 0) {
            return <Empty>No {FILTER_LABELS[filter].toLowerCase()} downloads.</Empty>;
          }
          return (
            <ul class="rows" data-testid="downloads">
              {shown.map((item) => (
                <DownloadCard key={item.id} item={item} onChange={downloads.changed} />
              ))}
            </ul>
          );
        }}
      </ListOf>
    </section>
  );
}

/** What this node receives and sends now, in all (the bandwidth's rates). */
function TotalSpeed({ bandwidth }: { bandwidth: Bandwidth }): JSX.Element | null {
  const rates = bandwidth.data?.status.rates;
  if (!rates) return null;
  return (
    <span class="sub total-speed" data-testid="total-speed">
      ↓ {formatBytes(Math.round(rates.download))}/s · ↑ {formatBytes(Math.round(rates.upload))}/s
    </span>
  );
}

function ClearFinished(
  { downloads, count }: { downloads: DownloadList; count: number },
): JSX.Element {
  const { client } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const clear = async () => {
    setBusy(true);
    setError("");
    try {
      const { removed } = await client.clearDownloads();
      for (const id of removed) downloads.changed(id);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="clear-finished">
      {error && <span class="sub warn" role="alert">{error}</span>}
      <button
        type="button"
        class="quiet"
        disabled={busy || count === 0}
        onClick={clear}
        title="Forget done and failed downloads (downloaded files stay on disk)"
        data-testid="clear-finished"
      >
        Clear finished
      </button>
    </span>
  );
}
