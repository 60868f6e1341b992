import assert from "node:assert/strict";
import {
  backoffDelay,
  broughtForward,
  keepFirst,
  logsFailure,
  lostReason,
  NO_CLOSE_FRAME,
  REDIAL_SPREAD_MS,
  redialDelay,
  triesRelay,
  WANTED_MAX_BACKOFF_MS,
} from "./peer_policy.ts";
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

Deno.test("keepFirst: a direct connection replaces a relayed one, never the other way", () => {
  const relayed = { ...link(LARGE, "outbound"), path: { family: "IPv4", via: "relayed" } as const };
  const punched = { ...link(LARGE, "inbound"), path: { family: "IPv4", via: "punched" } as const };
  assert.equal(keepFirst(relayed, punched, SMALL), false);
  assert.equal(keepFirst(punched, relayed, SMALL), true);
  assert.equal(keepFirst(relayed, { ...relayed }, SMALL), true, "no churn between two relayed");
  // on the other side too
  assert.equal(keepFirst(relayed, punched, LARGE), false);
});

Deno.test("only a peer that could not be reached is worth a relay", () => {
  assert.equal(triesRelay({ code: "UNAVAILABLE" }), true);
  assert.equal(triesRelay({ code: "TIMEOUT" }), true);
  for (const code of ["FORBIDDEN", "UNAUTHORIZED", "BAD_REQUEST", "PROTOCOL"]) {
    assert.equal(triesRelay({ code }), false, code);
  }
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

Deno.test("redialDelay caps the wait low for a peer with downloads waiting", () => {
  const backoff = { baseMs: 1000, maxMs: 300_000 };
  assert.equal(redialDelay(20, { ...backoff, wanted: false }), 300_000);
  assert.equal(redialDelay(20, { ...backoff, wanted: true }), WANTED_MAX_BACKOFF_MS);
  assert.equal(redialDelay(1, { ...backoff, wanted: true }), 2000);
  const jittered = redialDelay(20, { ...backoff, wanted: true, random: () => 0.999 });
  assert.ok(jittered <= 12_000, `${jittered}`);
});

Deno.test("broughtForward moves a distant redial within the spread", () => {
  const now = 1_000_000;
  const pending = { retryAt: now + 200_000, triedAt: now - 60_000 };
  assert.equal(broughtForward(pending, now, { random: () => 0 }), 0);
  assert.equal(broughtForward(pending, now, { random: () => 0.5 }), REDIAL_SPREAD_MS / 2);
});

Deno.test("broughtForward leaves a redial that is due soon or a peer tried moments ago", () => {
  const now = 1_000_000;
  assert.equal(
    broughtForward({ retryAt: now + 500, triedAt: now - 60_000 }, now, { random: () => 0.5 }),
    undefined,
  );
  assert.equal(
    broughtForward({ retryAt: now + 200_000, triedAt: now - 1000 }, now, { random: () => 0 }),
    undefined,
  );
});

Deno.test("logsFailure logs the first failed dial and then every tenth", () => {
  const logged = Array.from({ length: 30 }, (_, i) => i + 1).filter(logsFailure);
  assert.deepEqual(logged, [1, 10, 20, 30]);
});
