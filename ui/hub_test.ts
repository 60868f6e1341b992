import assert from "node:assert/strict";
import type { NodeEvent } from "../src/api/light.ts";
import { createHub, parseEvent } from "./hub.ts";
import { backoffDelay, reconnectDelay, RESTART_WINDOW_MS } from "./events.ts";

Deno.test("the hub delivers to every listener until it unsubscribes", () => {
  const hub = createHub();
  const seen: string[] = [];
  const off = hub.subscribe((event) => seen.push(`a:${event.type}`));
  hub.subscribe((event) => seen.push(`b:${event.type}`));
  hub.emit({ type: "shares" });
  off();
  hub.emit({ type: "upload-done", id: "1" });
  assert.deepEqual(seen, ["a:shares", "b:shares", "b:upload-done"]);
});

Deno.test("parseEvent takes JSON objects with a type and ignores anything else", () => {
  const event: NodeEvent = { type: "download-removed", id: "x" };
  assert.deepEqual(parseEvent(JSON.stringify(event)), event);
  assert.equal(parseEvent("not json"), undefined);
  assert.equal(parseEvent('{"kind":"x"}'), undefined);
  assert.equal(parseEvent("null"), undefined);
  assert.equal(parseEvent(new ArrayBuffer(2)), undefined);
});

Deno.test("reconnections back off from half a second to at most 15 seconds", () => {
  assert.deepEqual([0, 1, 2, 3, 10].map(backoffDelay), [500, 1000, 2000, 4000, 15_000]);
});

Deno.test("after a restart close the stream retries at the shortest wait, then backs off again", () => {
  const closedAt = 1_000;
  const until = closedAt + RESTART_WINDOW_MS;
  assert.deepEqual([0, 3, 8].map((attempt) => reconnectDelay(attempt, closedAt + 9_000, until)), [
    500,
    500,
    500,
  ]);
  assert.equal(reconnectDelay(8, until, until), 15_000);
  assert.equal(reconnectDelay(3, closedAt, 0), 4_000);
});
