import assert from "node:assert/strict";
import { decodeCbor, encodeCbor } from "./codec.ts";
import { HdpError } from "./errors.ts";
import { parseRequest } from "./messages.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";
import { checkCircuit, CIRCUIT_ID_BYTES } from "./relay_messages.ts";

const v = PROTOCOL_VERSION;
const key = new Uint8Array(32).fill(7);
const circuit = new Uint8Array(CIRCUIT_ID_BYTES).fill(9);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof HdpError);
    return error.code;
  }
  return "none";
}

Deno.test("parseRequest takes a relay and a relayed request through CBOR", () => {
  const relay = decodeCbor(encodeCbor({ type: "relay", v, to: key, circuit }));
  assert.deepEqual(parseRequest(relay), { type: "relay", v, to: key, circuit });
  const relayed = decodeCbor(encodeCbor({ type: "relayed", v, from: key, circuit }));
  assert.deepEqual(parseRequest(relayed), { type: "relayed", v, from: key, circuit });
});

Deno.test("parseRequest refuses a relay request with a key or circuit of the wrong size", () => {
  assert.equal(
    code(() => parseRequest({ type: "relay", v, to: key.subarray(1), circuit })),
    "BAD_REQUEST",
  );
  assert.equal(
    code(() => parseRequest({ type: "relay", v, to: key, circuit: key })),
    "BAD_REQUEST",
  );
  assert.equal(code(() => parseRequest({ type: "relayed", v, circuit })), "BAD_REQUEST");
  assert.equal(
    code(() => parseRequest({ type: "relayed", v, from: "ab", circuit })),
    "BAD_REQUEST",
  );
  assert.equal(code(() => parseRequest({ type: "relay", v: 99, to: key, circuit })), "BAD_REQUEST");
});

Deno.test("checkCircuit refuses an id that is not 16 bytes", () => {
  assert.equal(checkCircuit(circuit), circuit);
  assert.equal(code(() => checkCircuit(new Uint8Array(15))), "BAD_REQUEST");
});
