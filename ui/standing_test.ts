import assert from "node:assert/strict";
import type { PeerInfo, Standing } from "../src/api/light.ts";
import { byStanding, friendRequests, standingActions } from "./standing.ts";

function peer(name: string, standing: Standing): PeerInfo {
  return { keyHex: name.padEnd(64, "0"), name, status: "connected", standing, since: 0 };
}

Deno.test("each standing offers the buttons that change it", () => {
  const labels = (standing: Standing) => standingActions(standing).map((a) => a.label);
  assert.deepEqual(labels("friend"), ["Unfriend", "Block"]);
  assert.deepEqual(labels("known"), ["Befriend", "Block"]);
  assert.deepEqual(labels("requested"), ["Befriend", "Block"]);
  assert.deepEqual(labels("blocked"), ["Unblock"]);
  assert.deepEqual(standingActions("friend").map((a) => a.standing), ["known", "blocked"]);
  assert.equal(standingActions("blocked")[0]?.standing, "known", "unblocking leaves a known peer");
});

Deno.test("friend requests are the requested peers only, by name", () => {
  const peers = [peer("zed", "requested"), peer("amy", "friend"), peer("bob", "requested")];
  assert.deepEqual(friendRequests(peers).map((p) => p.name), ["bob", "zed"]);
  assert.deepEqual(friendRequests([peer("amy", "known")]), []);
});

Deno.test("peers are listed friends first and blocked last, by name within a standing", () => {
  const peers = [
    peer("cat", "blocked"),
    peer("dan", "known"),
    peer("bea", "friend"),
    peer("abe", "known"),
    peer("eve", "requested"),
  ];
  assert.deepEqual(byStanding(peers).map((p) => p.name), ["bea", "eve", "abe", "dan", "cat"]);
  assert.equal(peers[0]?.name, "cat", "the original list is left alone");
});
