import assert from "node:assert/strict";
import { GRAPH_FLOOR, graphTop, levelY, sparklinePath } from "./sparkline.ts";

const BOX = { width: 100, height: 20, top: 10, slots: 5 };

Deno.test("a graph's top is its limit, or its peak, and never below the floor", () => {
  assert.equal(graphTop([0, 0], 0), GRAPH_FLOOR);
  assert.equal(graphTop([5000, 20_000], 0), 20_000);
  assert.equal(graphTop([5000], 1_000_000), 1_000_000);
  assert.equal(graphTop([2_000_000], 1_000_000), 2_000_000, "a burst past the limit still fits");
});

Deno.test("the path puts the newest value on the right edge, one slot apart", () => {
  assert.equal(sparklinePath([], BOX), "");
  assert.equal(sparklinePath([10], BOX), "M100,0");
  assert.equal(sparklinePath([0, 5, 10], BOX), "M50,20 L75,10 L100,0");
  assert.equal(sparklinePath([0, 0, 0, 0, 0], BOX), "M0,20 L25,20 L50,20 L75,20 L100,20");
});

Deno.test("the path keeps the last slots and clamps what falls outside the box", () => {
  assert.equal(sparklinePath([10, 10, 0, 0, 0, 0, 20], BOX), "M0,20 L25,20 L50,20 L75,20 L100,0");
  assert.equal(sparklinePath([-3, 2.5], BOX), "M75,20 L100,15");
});

Deno.test("a level is drawn at its height, no higher than the top", () => {
  assert.equal(levelY(5, BOX), 10);
  assert.equal(levelY(50, BOX), 0);
});
