/** The `.part` files a download leaves in the download dir while its files are unfinished. */
import { dirname, join, sep } from "node:path";
import { localSegments, partName } from "./local_path.ts";
import type { ItemRecord, Wishlist } from "./wishlist.ts";

/** Deletes the part files of an item's unfinished files (finished files stay). */
export async function removeParts(
  downloadDir: string,
  wishlist: Wishlist,
  item: ItemRecord,
): Promise<void> {
  for await (const file of wishlist.allFiles(item.id)) {
    if (file.state === "done") continue;
    const rel = file.localRel ?? localSegments(item.peer.name, file.remotePath).join("/");
    await Deno.remove(partName(join(downloadDir, ...rel.split("/")))).catch(() => {});
  }
}

/**
 * Removes the directories under `<downloadDir>/<localPath>` that are empty (a cancelled download's
 * folders), then its parents up to the download dir while they are empty. Links are not followed.
 */
export async function removeEmptyDirs(downloadDir: string, localPath: string): Promise<void> {
  const top = join(downloadDir, ...localPath.split("/"));
  await removeIfEmpty(top);
  for (let dir = dirname(top); dir.startsWith(downloadDir + sep); dir = dirname(dir)) {
    if (!await removeDir(dir)) break;
  }
}

/** Removes the empty directories below `dir` and `dir` itself when it ends up empty. */
async function removeIfEmpty(dir: string): Promise<boolean> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return false; // gone, or not a directory
  }
  let empty = true;
  for (const entry of entries) {
    if (!entry.isDirectory || !await removeIfEmpty(join(dir, entry.name))) empty = false;
  }
  return empty && await removeDir(dir);
}

async function removeDir(dir: string): Promise<boolean> {
  try {
    await Deno.remove(dir); // not recursive: fails on a directory that is not empty
    return true;
  } catch {
    return false;
  }
}
