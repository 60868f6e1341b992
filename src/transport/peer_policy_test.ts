import assert from "node:assert/strict";
import { backoffDelay, keepFirst, lostReason, NO_CLOSE_FRAME } from "./peer_policy.ts";
import { CLOSE } from "./quic.ts";

const SMALL = "00aa";
const LARGE = "ffbb";

/** A connection of the node `own` to `peer`, dialed by `own` (outbound) or by `peer`. */
function link(peer: string, direction: "inbound" | "outbound") {
  return { peerKeyHex: peer, direction };
}

Deno.test("keepFirst keeps the connection dialed by the smaller key, on both sides", () => {
  // node SMALL: its outbound one was dialed by SMALL, the inbound one by LARGE
  assert.equal(keepFirst(link(LARGE, "outbound"), link(LARGE, "inbound"), SMALL), true);
  assert.equal(keepFirst(link(LARGE, "inbound"), link(LARGE, "outbound"), SMALL), false);
  // node LARGE agrees: it keeps the one SMALL dialed (its inbound one)
  assert.equal(keepFirst(link(SMALL, "inbound"), link(SMALL, "outbound"), LARGE), true);
  assert.equal(keepFirst(link(SMALL, "outbound"), link(SMALL, "inbound"), LARGE), false);
});

Deno.test("keepFirst takes the newer of two connections dialed by the same side", () => {
  assert.equal(keepFirst(link(LARGE, "outbound"), link(LARGE, "outbound"), SMALL), false);
  assert.equal(keepFirst(link(LARGE, "inbound"), link(LARGE, "inbound"), SMALL), false);
});

Deno.test("backoffDelay doubles from the base up to the cap", () => {
  const delays = [0, 1, 2, 3, 10, 1000].map((n) => backoffDelay(n, { baseMs: 1000, maxMs: 5000 }));
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000, 5000]);
});

Deno.test("backoffDelay jitters by half the delay either way", () => {
  const at = (random: number) =>
    backoffDelay(2, { baseMs: 100, maxMs: 10_000, random: () => random });
  assert.equal(at(0), 200);
  assert.equal(at(0.5), 400);
  assert.equal(at(0.999), 600);
});

Deno.test("lostReason says the peer shut down for its shutdown code and for a stateless reset", () => {
  assert.equal(lostReason(CLOSE.SHUTDOWN, "shutting down"), "the peer shut down");
  assert.equal(lostReason(NO_CLOSE_FRAME, "reset by peer"), "the peer restarted or shut down");
  assert.equal(lostReason(NO_CLOSE_FRAME, "timed out"), "timed out");
  assert.equal(lostReason(CLOSE.DUPLICATE, ""), `closed (${CLOSE.DUPLICATE})`);
});
