/** One folder of a peer listed whole (not below it), page after page, for the player's queue. */
import type { ApiClient, LsEntry } from "../src/api/light.ts";

/** Entries asked for a page. */
export const FOLDER_PAGE_SIZE = 1000;

/** The most pages followed: a folder bigger than this is a catalogue, not an album. */
export const MAX_FOLDER_PAGES = 10;

/** Every entry of `path` at `peer`, following the cursor; stops on a cursor that repeats. */
export async function folderEntries(
  client: Pick<ApiClient, "peerLs">,
  folder: { peer: string; path: string },
): Promise<LsEntry[]> {
  const entries: LsEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_FOLDER_PAGES; pages++) {
    const page = await client.peerLs(folder.peer, {
      path: folder.path,
      limit: FOLDER_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    entries.push(...page.entries);
    if (page.cursor === undefined || page.cursor === cursor) break;
    cursor = page.cursor;
  }
  return entries;
}
