import assert from "node:assert/strict";
import { RequestBudget } from "./request_budget.ts";

Deno.test("a peer gets its share of a kind, the node its total, and a place comes back once", () => {
  const budget = new RequestBudget({
    "ls": { perPeer: 2, total: 3 },
    "small-read": { perPeer: 1, total: 1 },
    "large-read": { perPeer: 1, total: 1 },
    "read-many": { perPeer: 1, total: 1 },
    "announce": { perPeer: 1, total: 1 },
    "befriend": { perPeer: 1, total: 1 },
    "interactive-read": { perPeer: 1, total: 1 },
  });
  const a1 = budget.enter("a", "ls");
  budget.enter("a", "ls");
  assert.throws(() => budget.enter("a", "ls"), { code: "BUSY" }, "its own share is used up");
  budget.enter("b", "ls");
  assert.throws(() => budget.enter("c", "ls"), { code: "BUSY" }, "the node's total is used up");
  budget.enter("a", "small-read"); // another kind has its own count
  assert.deepEqual([budget.running("ls"), budget.running("ls", "a")], [3, 2]);
  a1();
  a1(); // twice gives back one place, not two
  assert.deepEqual([budget.running("ls"), budget.running("ls", "a")], [2, 1]);
  budget.enter("c", "ls");
  assert.throws(() => budget.enter("c", "ls"), { code: "BUSY" });
});
