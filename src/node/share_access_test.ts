import assert from "node:assert/strict";
import { STANDINGS } from "../transport/mod.ts";
import type { Audience } from "./audience.ts";
import { SHARE_REQUESTS, shareAccess } from "./share_access.ts";

const ME = "a".repeat(64);
const OTHER = "b".repeat(64);

/** The whole table, one line per standing × audience: the cells of every request type. */
function table(): Record<string, string> {
  const audiences: Array<[string, Audience]> = [
    ["everyone", "everyone"],
    ["friends", "friends"],
    ["peers naming it", { peers: [OTHER, ME] }],
    ["peers not naming it", { peers: [OTHER] }],
  ];
  const out: Record<string, string> = {};
  for (const standing of STANDINGS) {
    for (const [label, audience] of audiences) {
      const cells = SHARE_REQUESTS.map((r) => shareAccess({ keyHex: ME, standing }, audience, r));
      const same = cells.every((c) => c === cells[0]);
      out[`${standing} × ${label}`] = same ? cells[0]! : cells.join(",");
    }
  }
  return out;
}

Deno.test("shareAccess gives every standing × audience one answer for every request type", () => {
  assert.deepEqual(table(), {
    "friend × everyone": "allowed",
    "friend × friends": "allowed",
    "friend × peers naming it": "allowed",
    "friend × peers not naming it": "hidden",
    "requested × everyone": "allowed",
    "requested × friends": "hidden",
    "requested × peers naming it": "allowed",
    "requested × peers not naming it": "hidden",
    "known × everyone": "allowed",
    "known × friends": "hidden",
    "known × peers naming it": "allowed",
    "known × peers not naming it": "hidden",
    "blocked × everyone": "hidden",
    "blocked × friends": "hidden",
    "blocked × peers naming it": "hidden",
    "blocked × peers not naming it": "hidden",
  });
});
