import assert from "node:assert/strict";
import { supersededItems } from "./superseded.ts";
import type { ItemRecord } from "./wishlist.ts";

type Item = Parameters<typeof supersededItems>[0][number];

function item(id: string, change: Partial<Item> = {}): Item {
  const base: Pick<ItemRecord, "id" | "peer" | "path" | "state" | "createdAt"> = {
    id,
    peer: { keyHex: "ab", name: "Peer" },
    path: "Share/a.txt",
    state: "done",
    createdAt: 1,
  };
  return { ...base, finishedAt: 10, ...change };
}

Deno.test("a file downloaded again supersedes the older done item of the same peer and path", () => {
  const items = [item("old", { finishedAt: 10 }), item("new", { createdAt: 2, finishedAt: 20 })];
  assert.deepEqual(supersededItems(items), ["old"]);
  assert.deepEqual(supersededItems([...items].reverse()), ["old"]);
});

Deno.test("only done items of the same peer and path are superseded", () => {
  const items = [
    item("done"),
    item("running", { state: "downloading", createdAt: 5 }),
    item("failed", { state: "failed", finishedAt: 30 }),
    item("other-path", { path: "Share/b.txt", finishedAt: 40 }),
    item("other-peer", { peer: { keyHex: "cd", name: "Other" }, finishedAt: 50 }),
  ];
  assert.deepEqual(supersededItems(items), []);
});

Deno.test("of three downloads of one file only the newest stays, ties going to the later ask", () => {
  const items = [
    item("a", { createdAt: 1, finishedAt: 10 }),
    item("b", { createdAt: 3, finishedAt: 10 }),
    item("c", { createdAt: 2, finishedAt: 5 }),
  ];
  assert.deepEqual(supersededItems(items).sort(), ["a", "c"]);
});
