/** The line under an unfinished download's progress bar; pure, no DOM. */
import { type DownloadItem, waitingText } from "../src/api/light.ts";
import { formatBytes, formatEta, formatSpeed, percent, plural } from "./format.ts";

/**
 * The facts of an unfinished item, to join with " · ": `42% · 1 MiB of 3 MiB · 2/5 files ·
 * 8 MiB/s · 4 s left`. Before its listing is complete, "listing…" instead of a meaningless 100%.
 */
export function progressFacts(item: DownloadItem): string[] {
  const files = item.isDir ? `${item.filesDone}/${plural(item.files, "file")}` : "";
  const listing = item.listing === true;
  const nothingListed = listing && item.files === 0;
  if (item.waitingForPeer) {
    return nothingListed
      ? ["listing…", waitingText(item)]
      : [`${percent(item.bytesDone, item.bytes)}%`, waitingText(item), files].filter(Boolean);
  }
  const running = item.state === "downloading";
  const facts = nothingListed ? ["listing…"] : [
    `${percent(item.bytesDone, item.bytes)}%`,
    `${formatBytes(item.bytesDone)} of ${formatBytes(item.bytes)}${listing ? " so far" : ""}`,
    files,
    listing ? "listing…" : "",
  ];
  return [
    ...facts,
    running ? formatSpeed(item.speed) : "",
    running && item.eta !== undefined && !listing ? `${formatEta(item.eta)} left` : "",
    item.queuePosition ? `#${item.queuePosition} in queue` : "",
    item.remotePosition ? `#${item.remotePosition} in ${item.peer.name}'s queue` : "",
  ].filter(Boolean);
}
