import assert from "node:assert/strict";
import type { NodeEvent } from "../src/api/light.ts";
import { createHub, parseEvent } from "./hub.ts";
import { backoffDelay } from "./events.ts";

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
