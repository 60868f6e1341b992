/**
 * Which files and folders of a peer are downloaded already, from the done items of the download
 * list: a path is downloaded when it, or a folder it is in, was downloaded whole.
 */
import type { DownloadItem } from "../src/api/light.ts";

/** The paths downloaded whole, by peer key. */
export type DownloadedIndex = ReadonlyMap<string, ReadonlySet<string>>;

/** The index of the done items of `items`. */
export function downloadedIndex(
  items: readonly Pick<DownloadItem, "peer" | "path" | "state">[],
): DownloadedIndex {
  const index = new Map<string, Set<string>>();
  for (const item of items) {
    if (item.state !== "done") continue;
    let paths = index.get(item.peer.keyHex);
    if (!paths) index.set(item.peer.keyHex, paths = new Set());
    paths.add(item.path);
  }
  return index;
}

/** Whether `path` of the peer with key `peer` is downloaded (itself, or a folder it is in). */
export function isDownloaded(index: DownloadedIndex, peer: string, path: string): boolean {
  const paths = index.get(peer);
  if (!paths || path === "") return false;
  for (let at = path.length; at > 0; at = path.lastIndexOf("/", at - 1)) {
    if (paths.has(path.slice(0, at))) return true;
  }
  return false;
}
