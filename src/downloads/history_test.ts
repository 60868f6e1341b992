import assert from "node:assert/strict";
import { History } from "./history.ts";
import type { HistoryEntry } from "./types.ts";

function entry(at: number, direction: HistoryEntry["direction"] = "download"): HistoryEntry {
  return { direction, peer: { keyHex: "ab", name: "Peer" }, path: `Share/f${at}`, bytes: at, at };
}

Deno.test("the history lists what was added, newest first, buffered entries included", async () => {
  using kv = await Deno.openKv(":memory:");
  const history = new History(kv);
  history.add(entry(1));
  history.add(entry(3, "upload"));
  history.add(entry(2));
  assert.deepEqual((await history.list()).map((e) => e.at), [3, 2, 1]);
  assert.deepEqual((await new History(kv).list()).map((e) => e.at), [3, 2, 1]); // committed
});

Deno.test("the history keeps the newest thousand entries", async () => {
  using kv = await Deno.openKv(":memory:");
  const history = new History(kv);
  for (let at = 0; at < 1600; at++) history.add(entry(at));
  await history.flush();
  const kept = await history.list(5000);
  assert.equal(kept.length, 1000);
  assert.equal(kept[0]?.at, 1599);
  assert.equal(kept.at(-1)?.at, 600);
});
