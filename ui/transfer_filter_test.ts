import assert from "node:assert/strict";
import type { DownloadItem } from "../src/api/light.ts";
import { filterCounts, isFinished, matchesFilter } from "./transfer_filter.ts";

const states: DownloadItem["state"][] = ["downloading", "queued", "paused", "done", "failed"];
const items = states.map((state) => ({ state }));

Deno.test("each filter shows its states, queued holding paused ones and all holding every one", () => {
  const shown = (filter: Parameters<typeof matchesFilter>[1]) =>
    items.filter((i) => matchesFilter(i, filter)).map((i) => i.state);
  assert.deepEqual(shown("all"), states);
  assert.deepEqual(shown("active"), ["downloading"]);
  assert.deepEqual(shown("queued"), ["queued", "paused"]);
  assert.deepEqual(shown("done"), ["done"]);
  assert.deepEqual(shown("failed"), ["failed"]);
});

Deno.test("the counts say how many items each filter would show", () => {
  assert.deepEqual(filterCounts([...items, { state: "done" }]), {
    all: 6,
    active: 1,
    queued: 2,
    done: 2,
    failed: 1,
  });
  assert.deepEqual(filterCounts([]), { all: 0, active: 0, queued: 0, done: 0, failed: 0 });
});

Deno.test("done and failed downloads are finished, the others are not", () => {
  assert.deepEqual(items.filter(isFinished).map((i) => i.state), ["done", "failed"]);
});
