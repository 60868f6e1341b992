/** Which downloads a filter of the Transfers screen shows, and how many each would show. */
import type { DownloadItem } from "../src/api/light.ts";

/** The filters, in the order they are offered. */
export const TRANSFER_FILTERS = ["all", "active", "queued", "done", "failed"] as const;

/** One of {@link TRANSFER_FILTERS}. */
export type TransferFilter = typeof TRANSFER_FILTERS[number];

/** Whether `item` shows under `filter`: active is downloading, queued holds paused ones too. */
export function matchesFilter(item: Pick<DownloadItem, "state">, filter: TransferFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "active":
      return item.state === "downloading";
    case "queued":
      return item.state === "queued" || item.state === "paused";
    case "done":
      return item.state === "done";
    case "failed":
      return item.state === "failed";
  }
}

/** How many items each filter shows. */
export function filterCounts(
  items: readonly Pick<DownloadItem, "state">[],
): Record<TransferFilter, number> {
  const counts = { all: 0, active: 0, queued: 0, done: 0, failed: 0 };
  for (const item of items) {
    for (const filter of TRANSFER_FILTERS) if (matchesFilter(item, filter)) counts[filter]++;
  }
  return counts;
}

/** Whether an item has ended (done or failed): what "Clear finished" forgets. */
export function isFinished(item: Pick<DownloadItem, "state">): boolean {
  return item.state === "done" || item.state === "failed";
}
