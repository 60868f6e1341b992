/** The order of the download list: what moves first, then what waits, then what is finished. */
import type { DownloadItem } from "../src/api/light.ts";

const RANK: Record<DownloadItem["state"], number> = {
  downloading: 0,
  queued: 1,
  paused: 2,
  failed: 3,
  done: 4,
};

/** Downloading, then queued (by queue place), paused, failed; finished ones last, newest first. */
export function downloadOrder(a: DownloadItem, b: DownloadItem): number {
  return RANK[a.state] - RANK[b.state] ||
    (a.queuePosition ?? Infinity) - (b.queuePosition ?? Infinity) ||
    (b.finishedAt ?? 0) - (a.finishedAt ?? 0) ||
    a.createdAt - b.createdAt;
}
