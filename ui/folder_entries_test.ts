import assert from "node:assert/strict";
import type { ApiClient, LsEntry, PeerLsPage } from "../src/api/light.ts";
import { FOLDER_PAGE_SIZE, folderEntries, MAX_FOLDER_PAGES } from "./folder_entries.ts";

type LsQuery = Parameters<ApiClient["peerLs"]>[1];

function file(name: string): LsEntry {
  return { name, size: 1, isDir: false, mtime: 1 };
}

/** A client whose peerLs answers pages from a script, recording each query. */
function paged(pages: { entries: LsEntry[]; cursor?: string }[], queries: LsQuery[]) {
  return {
    peerLs: (_peer: string, query: LsQuery) => {
      queries.push(query);
      const page = pages[Math.min(queries.length - 1, pages.length - 1)]!;
      return Promise.resolve({ ...page, partial: false } as unknown as PeerLsPage);
    },
  } satisfies Pick<ApiClient, "peerLs">;
}

Deno.test("a folder is listed whole, page after page, by its cursor", async () => {
  const queries: LsQuery[] = [];
  const client = paged([
    { entries: [file("M/a.mp3")], cursor: "c1" },
    { entries: [file("M/b.mp3")], cursor: "c2" },
    { entries: [file("M/c.mp3")] },
  ], queries);
  const entries = await folderEntries(client, { peer: "ab12", path: "M" });
  assert.deepEqual(entries.map((e) => e.name), ["M/a.mp3", "M/b.mp3", "M/c.mp3"]);
  assert.deepEqual(queries.map((q) => q.cursor), [undefined, "c1", "c2"]);
  assert.ok(queries.every((q) => q.path === "M" && q.limit === FOLDER_PAGE_SIZE && !q.recursive));
});

Deno.test("a peer repeating its cursor or paging forever is not followed without end", async () => {
  const repeating: LsQuery[] = [];
  await folderEntries(paged([{ entries: [], cursor: "same" }], repeating), { peer: "p", path: "" });
  assert.equal(repeating.length, 2);
  let n = 0;
  const endless: LsQuery[] = [];
  const client = {
    peerLs: (_peer: string, query: LsQuery) => {
      endless.push(query);
      return Promise.resolve({ entries: [], cursor: `c${n++}` } as unknown as PeerLsPage);
    },
  };
  await folderEntries(client, { peer: "p", path: "" });
  assert.equal(endless.length, MAX_FOLDER_PAGES);
});
