/**
 * Which finished downloads a newer one replaces: the same path of the same peer downloaded again
 * is one row, the newest, not one per time (their files stay on disk either way).
 */
import type { ItemRecord } from "./wishlist.ts";

type Finished = Pick<ItemRecord, "id" | "peer" | "path" | "state" | "finishedAt" | "createdAt">;

/** Ids of done items that a newer done item of the same peer and path supersedes. */
export function supersededItems(items: readonly Finished[]): string[] {
  const newest = new Map<string, Finished>();
  const superseded: string[] = [];
  for (const item of items) {
    if (item.state !== "done") continue;
    const key = `${item.peer.keyHex}\n${item.path}`;
    const kept = newest.get(key);
    if (kept === undefined) {
      newest.set(key, item);
    } else if (isNewer(item, kept)) {
      superseded.push(kept.id);
      newest.set(key, item);
    } else {
      superseded.push(item.id);
    }
  }
  return superseded;
}

/** Finished later (or, finished at the same moment, asked for later). */
function isNewer(a: Finished, b: Finished): boolean {
  const finished = (a.finishedAt ?? 0) - (b.finishedAt ?? 0);
  return finished !== 0 ? finished > 0 : a.createdAt > b.createdAt;
}
