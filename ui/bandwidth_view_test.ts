import assert from "node:assert/strict";
import type { BandwidthStatus } from "../src/api/light.ts";
import { viewOf, withAnswer, withEvent } from "./bandwidth_view.ts";
import { GRAPH_SECONDS } from "./sparkline.ts";

function status(fields: Partial<BandwidthStatus> = {}): BandwidthStatus {
  return {
    limits: { upload: 0, download: 0 },
    schedules: [],
    inForce: { upload: 0, download: 0 },
    rates: { upload: 0, download: 0 },
    totals: { upload: 0, download: 0 },
    peers: {},
    revision: 1,
    ...fields,
  };
}

const T = 1_700_000_000_000;

Deno.test("the fetched history becomes the samples, and the status keeps none of it", () => {
  const long = Array.from({ length: 70 }, (_, i) => i);
  const view = viewOf(status({ history: { upload: long, download: [1, 2] } }), T);
  assert.equal(view.samples.upload.length, GRAPH_SECONDS);
  assert.equal(view.samples.upload.at(-1), 69);
  assert.deepEqual(view.samples.download, [1, 2]);
  assert.equal("history" in view.status, false);
  assert.deepEqual(viewOf(status(), T).samples, { upload: [], download: [] });
});

Deno.test("an event two seconds on adds its rate for both seconds", () => {
  const view = viewOf(status({ history: { upload: [5, 5], download: [0, 0] } }), T);
  const next = withEvent(view, status({ rates: { upload: 9, download: 3 } }), { at: T + 2000 });
  assert.deepEqual(next.samples, { upload: [5, 5, 9, 9], download: [0, 0, 3, 3] });
  assert.equal(next.sampledAt, T + 2000);
  assert.deepEqual(next.status.rates, { upload: 9, download: 3 });
});

Deno.test("after a quiet spell the previous rate holds until the two seconds the event covers", () => {
  const view = viewOf(status({ history: { upload: [0], download: [4] } }), T);
  const next = withEvent(view, status({ rates: { upload: 7, download: 4 } }), { at: T + 5100 });
  assert.deepEqual(next.samples.upload, [0, 0, 0, 0, 7, 7]);
  assert.deepEqual(next.samples.download, [4, 4, 4, 4, 4, 4]);
  assert.equal(next.sampledAt, T + 5000, "whole seconds: the samples do not drift");
});

Deno.test("an event within the same second replaces the newest sample", () => {
  const view = viewOf(status({ history: { upload: [1, 2], download: [] } }), T);
  const next = withEvent(view, status({ rates: { upload: 8, download: 6 } }), { at: T + 300 });
  assert.deepEqual(next.samples, { upload: [1, 8], download: [6] });
  assert.equal(next.sampledAt, T);
});

Deno.test("the samples never hold more than a minute, even after a long silence", () => {
  const view = viewOf(status({ history: { upload: [1], download: [1] } }), T);
  const next = withEvent(view, status({ rates: { upload: 2, download: 2 } }), {
    at: T + 3_600_000,
  });
  assert.equal(next.samples.upload.length, GRAPH_SECONDS);
  assert.deepEqual(next.samples.upload.slice(-3), [1, 2, 2]);
});

Deno.test("an answer to a change replaces the status and keeps the samples", () => {
  const view = viewOf(status({ history: { upload: [3], download: [4] } }), T);
  const answer = status({ limits: { upload: 5_000_000, download: 0 } });
  const next = withAnswer(view, answer);
  assert.equal(next.status.limits.upload, 5_000_000);
  assert.deepEqual(next.samples, view.samples);
  assert.equal(next.sampledAt, T);
});

Deno.test("an answer or event older than the view's settings keeps the newer settings", () => {
  const always = { name: "always", days: [0, 1, 2, 3, 4, 5, 6], from: "00:00", to: "00:00" };
  const view = withAnswer(viewOf(status(), T), status({ schedules: [always], revision: 3 }));
  // the answer to an earlier change, and an event sent before it, arrive late
  assert.deepEqual(withAnswer(view, status({ revision: 2 })), view);
  const moved = withEvent(view, status({ revision: 2, rates: { upload: 9, download: 0 } }), {
    at: T + 2000,
  });
  assert.deepEqual(moved.status.schedules, [always]);
  assert.equal(moved.status.revision, 3);
  assert.equal(moved.status.rates.upload, 9);
  assert.deepEqual(moved.samples.upload, [9, 9]);
  // a newer one is taken whole
  assert.deepEqual(withAnswer(view, status({ revision: 4 })).status.schedules, []);
});
