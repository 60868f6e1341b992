/** The `.part` files a download leaves in the download dir while its files are unfinished. */
import { join } from "node:path";
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
