import assert from "node:assert/strict";
import { HdpError } from "../wire/mod.ts";
import { RelayGate } from "./relay_gate.ts";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof HdpError);
    return error.code;
  }
  return "none";
}

Deno.test("a relay gate refuses when relaying is off", () => {
  assert.equal(refusal(() => new RelayGate({ enabled: false }).enter("a", "c", true)), "FORBIDDEN");
});

Deno.test("a relay gate relays only to a peer it is connected to, other than the requester", () => {
  const gate = new RelayGate();
  assert.equal(refusal(() => gate.enter("a", "c", false)), "NOT_FOUND");
  assert.equal(refusal(() => gate.enter("a", "a", true)), "NOT_FOUND");
  assert.equal(gate.active, 0);
});

Deno.test("a relay gate answers BUSY at its cap and frees a place on release, once", () => {
  const gate = new RelayGate({ maxCircuits: 2 });
  const first = gate.enter("a", "c", true);
  gate.enter("a", "c", true);
  assert.equal(refusal(() => gate.enter("a", "c", true)), "BUSY");
  first();
  first();
  assert.equal(gate.active, 1);
  gate.enter("a", "c", true);
  assert.equal(gate.active, 2);
});
