import assert from "node:assert/strict";
import type { PeerInfo, Standing } from "../src/api/light.ts";
import {
  candidates,
  choiceOf,
  chosenKeys,
  describeAudience,
  sameKeys,
  toggleKey,
} from "./audience.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);

function peer(keyHex: string, name: string, standing: Standing = "known"): PeerInfo {
  return { keyHex, name, status: "connected", standing, since: 0 };
}

Deno.test("an audience maps to its select option and its chosen keys", () => {
  assert.equal(choiceOf("friends"), "friends");
  assert.equal(choiceOf("everyone"), "everyone");
  assert.equal(choiceOf({ peers: [A] }), "peers");
  assert.deepEqual(chosenKeys({ peers: [A, B] }), [A, B]);
  assert.deepEqual(chosenKeys("friends"), []);
});

Deno.test("an audience is described in a few words", () => {
  assert.equal(describeAudience("friends"), "Friends only");
  assert.equal(describeAudience("everyone"), "Everyone connected");
  assert.equal(describeAudience({ peers: [A] }), "1 chosen peer");
  assert.equal(describeAudience({ peers: [A, B] }), "2 chosen peers");
});

Deno.test("ticking a key adds it once and unticking removes it", () => {
  assert.deepEqual(toggleKey([A], B, true), [A, B]);
  assert.deepEqual(toggleKey([A, B], A, true), [B, A]);
  assert.deepEqual(toggleKey([A, B], A, false), [B]);
  assert.deepEqual(toggleKey([], A, false), []);
});

Deno.test("two key lists are the same whatever their order", () => {
  assert.ok(sameKeys([A, B], [B, A]));
  assert.ok(!sameKeys([A], [A, B]));
  assert.ok(!sameKeys([A, B], [A, C]));
  assert.ok(sameKeys([], []));
});

Deno.test("the peers to choose from leave out the blocked unless already chosen", () => {
  const peers = [peer(B, "bob", "blocked"), peer(A, "amy", "friend"), peer(C, "cy", "blocked")];
  assert.deepEqual(candidates(peers, []).map((c) => c.name), ["amy"]);
  assert.deepEqual(candidates(peers, [C]).map((c) => c.name), ["amy", "cy"]);
});

Deno.test("a chosen key the peer table no longer holds is still offered, by its key", () => {
  const gone = "d".repeat(64);
  assert.deepEqual(candidates([peer(A, "zoe")], [gone]), [
    { keyHex: gone, name: `${"d".repeat(16)}…` },
    { keyHex: A, name: "zoe" },
  ]);
});
