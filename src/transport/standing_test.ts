import assert from "node:assert/strict";
import { ACCEPT_POLICIES, afterRequest, mayConnect, STANDINGS } from "./standing.ts";

Deno.test("mayConnect keeps blocked peers out under every policy, and strangers out unless everyone", () => {
  const table: Record<string, Record<string, boolean>> = {};
  for (const accept of ACCEPT_POLICIES) {
    table[accept] = { stranger: mayConnect(undefined, accept) };
    for (const standing of STANDINGS) table[accept]![standing] = mayConnect(standing, accept);
  }
  assert.deepEqual(table, {
    friends: { stranger: false, friend: true, requested: false, known: false, blocked: false },
    known: { stranger: false, friend: true, requested: true, known: true, blocked: false },
    everyone: { stranger: true, friend: true, requested: true, known: true, blocked: false },
  });
});

Deno.test("afterRequest turns a known peer into a request unless it was declined", () => {
  assert.equal(afterRequest("known", false), "requested");
  assert.equal(afterRequest("known", true), "known");
  assert.equal(afterRequest("friend", false), "friend");
  assert.equal(afterRequest("blocked", false), "blocked");
  assert.equal(afterRequest("requested", false), "requested");
});
