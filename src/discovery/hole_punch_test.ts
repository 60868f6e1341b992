import assert from "node:assert/strict";
import { type PunchPlan, punchPlan } from "./hole_punch.ts";
import type { NatType } from "./nat_type.ts";

/** Mine (rows) × theirs (columns): none, easy, hard, unknown. */
const MATRIX: Record<NatType, Record<NatType, PunchPlan>> = {
  none: { none: "direct", easy: "direct", hard: "direct", unknown: "direct" },
  easy: { none: "direct", easy: "direct", hard: "probe", unknown: "direct" },
  hard: { none: "direct", easy: "spray", hard: "needs-relay", unknown: "direct" },
  unknown: { none: "direct", easy: "direct", hard: "direct", unknown: "direct" },
};

Deno.test("punchPlan decides every pair of NAT types as the matrix says", () => {
  for (const [mine, row] of Object.entries(MATRIX) as [NatType, Record<NatType, PunchPlan>][]) {
    for (const [theirs, plan] of Object.entries(row) as [NatType, PunchPlan][]) {
      assert.equal(punchPlan(mine, theirs), plan, `${mine} → ${theirs}`);
    }
  }
});

Deno.test("punchPlan sprays from a hard NAT towards an easy one and probes the other way", () => {
  assert.equal(punchPlan("hard", "easy"), "spray");
  assert.equal(punchPlan("easy", "hard"), "probe");
});

Deno.test("punchPlan needs a relay only when both sides are behind hard NATs", () => {
  const relayed = Object.entries(MATRIX).flatMap(([mine, row]) =>
    Object.entries(row).filter(([, plan]) => plan === "needs-relay").map(([t]) => `${mine}/${t}`)
  );
  assert.deepEqual(relayed, ["hard/hard"]);
});
