import assert from "node:assert/strict";
import type { DownloadItem } from "../src/api/light.ts";
import { downloadOrder } from "./download_order.ts";

function item(id: string, fields: Partial<DownloadItem>): DownloadItem {
  return { id, state: "queued", createdAt: 0, ...fields } as DownloadItem;
}

Deno.test("downloads list what moves, then the queue in its order, then the finished ones", () => {
  const items = [
    item("old-done", { state: "done", finishedAt: 1 }),
    item("failed", { state: "failed" }),
    item("second", { queuePosition: 2 }),
    item("new-done", { state: "done", finishedAt: 2 }),
    item("first", { queuePosition: 1 }),
    item("running", { state: "downloading" }),
    item("paused", { state: "paused" }),
  ];
  assert.deepEqual(items.sort(downloadOrder).map((i) => i.id), [
    "running",
    "first",
    "second",
    "paused",
    "failed",
    "new-done",
    "old-done",
  ]);
});
