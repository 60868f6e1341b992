import assert from "node:assert/strict";
import { HdpError } from "../wire/mod.ts";
import {
  newPcpNonce,
  parsePcpMapResponse,
  type PcpMapRequest,
  pcpMapRequest,
  pcpMapResponse,
} from "./pcp.ts";

function hex(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  return Uint8Array.from(
    { length: compact.length / 2 },
    (_, i) => parseInt(compact.slice(i * 2, i * 2 + 2), 16),
  );
}

function throwsCode(run: () => unknown, code: string, why: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof HdpError);
    assert.equal(error.code, code);
    assert.match(error.message, why);
    return true;
  });
}

const NONCE = hex("0102030405060708090a0b0c");
const REQUEST: PcpMapRequest = {
  clientIp: "192.168.1.20",
  nonce: NONCE,
  internalPort: 4433,
  lifetimeSeconds: 7200,
};

// RFC 6887 sections 7.1 and 11.1, worked by hand.
const REQUEST_BYTES = hex(`
  02 01 0000  00001c20
  00000000 00000000 0000ffff c0a80114
  0102030405060708090a0b0c
  11 000000  1151 0000
  00000000 00000000 0000ffff 00000000`);
// version 2, R|MAP, reserved, SUCCESS; lifetime 3600; epoch 77; 96 reserved bits; then the MAP
// payload: nonce, UDP, port 4433 mapped to 40000 on 203.0.113.7
const RESPONSE_BYTES = hex(`
  02 81 00 00  00000e10  0000004d
  00000000 00000000 00000000
  0102030405060708090a0b0c
  11 000000  1151 9c40
  00000000 00000000 0000ffff cb007107`);

Deno.test("A PCP MAP request for UDP lays out the RFC 6887 header and MAP payload", () => {
  assert.deepEqual(pcpMapRequest(REQUEST), REQUEST_BYTES);
});

Deno.test("A PCP MAP request refuses a bad nonce, port, lifetime or client address", () => {
  throwsCode(
    () => pcpMapRequest({ ...REQUEST, nonce: new Uint8Array(8) }),
    "BAD_REQUEST",
    /12 bytes/,
  );
  throwsCode(() => pcpMapRequest({ ...REQUEST, internalPort: 0 }), "BAD_REQUEST", /internal port/);
  throwsCode(() => pcpMapRequest({ ...REQUEST, lifetimeSeconds: 1.5 }), "BAD_REQUEST", /lifetime/);
  throwsCode(() => pcpMapRequest({ ...REQUEST, clientIp: "::1" }), "BAD_REQUEST", /IPv4/);
});

Deno.test("A PCP MAP response decodes to lifetime, epoch and the external address and port", () => {
  assert.deepEqual(parsePcpMapResponse(RESPONSE_BYTES, REQUEST), {
    lifetimeSeconds: 3600,
    epoch: 77,
    internalPort: 4433,
    externalPort: 40000,
    externalIp: "203.0.113.7",
  });
});

Deno.test("The test encoder of PCP responses gives the hand-worked bytes", () => {
  const granted = {
    lifetimeSeconds: 3600,
    epoch: 77,
    externalPort: 40000,
    externalIp: "203.0.113.7",
  };
  assert.deepEqual(pcpMapResponse(REQUEST, granted), RESPONSE_BYTES);
  const nonce = newPcpNonce();
  const request = { ...REQUEST, nonce };
  assert.equal(parsePcpMapResponse(pcpMapResponse(request, granted), request).externalPort, 40000);
});

Deno.test("A PCP response with another nonce is refused, even when it is a refusal", () => {
  const other = { ...REQUEST, nonce: newPcpNonce() };
  throwsCode(() => parsePcpMapResponse(RESPONSE_BYTES, other), "PROTOCOL", /nonce/);
  const refusal = RESPONSE_BYTES.slice();
  refusal[3] = 2;
  throwsCode(() => parsePcpMapResponse(refusal, other), "PROTOCOL", /nonce/);
});

Deno.test("A PCP response that is short, of another opcode or oddly long is refused", () => {
  throwsCode(() => parsePcpMapResponse(hex("0281"), REQUEST), "PROTOCOL", /shorter than a header/);
  throwsCode(
    () => parsePcpMapResponse(RESPONSE_BYTES.subarray(0, 56), REQUEST),
    "PROTOCOL",
    /too short/,
  );
  const longer = new Uint8Array(62);
  longer.set(RESPONSE_BYTES);
  throwsCode(() => parsePcpMapResponse(longer, REQUEST), "PROTOCOL", /multiple of 4/);
  throwsCode(() => parsePcpMapResponse(REQUEST_BYTES, REQUEST), "PROTOCOL", /not a MAP response/);
  const version3 = RESPONSE_BYTES.slice();
  version3[0] = 3;
  throwsCode(() => parsePcpMapResponse(version3, REQUEST), "PROTOCOL", /version is 3/);
});

Deno.test("A PCP response for another protocol, another port or external port 0 is refused", () => {
  const tcp = RESPONSE_BYTES.slice();
  tcp[36] = 6;
  throwsCode(() => parsePcpMapResponse(tcp, REQUEST), "PROTOCOL", /protocol 6/);
  const port = RESPONSE_BYTES.slice();
  port[41] = 0x52;
  throwsCode(() => parsePcpMapResponse(port, REQUEST), "PROTOCOL", /internal port 4434/);
  const zero = RESPONSE_BYTES.slice();
  zero.fill(0, 42, 44);
  throwsCode(() => parsePcpMapResponse(zero, REQUEST), "PROTOCOL", /external port 0/);
});

Deno.test("PCP result codes become coded errors", () => {
  const cases: [number, string, RegExp][] = [
    [2, "FORBIDDEN", /NOT_AUTHORIZED/],
    [3, "BAD_REQUEST", /MALFORMED_REQUEST/],
    [4, "UNSUPPORTED", /UNSUPP_OPCODE/],
    [7, "UNAVAILABLE", /NETWORK_FAILURE/],
    [8, "BUSY", /NO_RESOURCES/],
    [11, "UNAVAILABLE", /CANNOT_PROVIDE_EXTERNAL/],
    [12, "BAD_REQUEST", /ADDRESS_MISMATCH/],
    [99, "PROTOCOL", /unknown result code 99/],
  ];
  for (const [result, code, why] of cases) {
    const reply = RESPONSE_BYTES.slice();
    reply[3] = result;
    throwsCode(() => parsePcpMapResponse(reply, REQUEST), code, why);
    throwsCode(() => parsePcpMapResponse(reply.subarray(0, 24), REQUEST), code, why);
  }
});

Deno.test("A NAT-PMP gateway's or an older PCP server's unsupported-version answer is UNSUPPORTED", () => {
  // RFC 6886 section 3.5: version 0, opcode 128 + 1, result 1, epoch
  throwsCode(
    () => parsePcpMapResponse(hex("0081 0001 00000010"), REQUEST),
    "UNSUPPORTED",
    /UNSUPP_VERSION/,
  );
  const v1 = RESPONSE_BYTES.slice();
  v1[0] = 1;
  v1[3] = 1;
  throwsCode(() => parsePcpMapResponse(v1, REQUEST), "UNSUPPORTED", /UNSUPP_VERSION/);
});

Deno.test("A deleting PCP answer (lifetime 0) may carry external port 0", () => {
  const request = { ...REQUEST, lifetimeSeconds: 0 };
  const reply = pcpMapResponse(request, {
    lifetimeSeconds: 0,
    externalPort: 0,
    externalIp: "0.0.0.0",
  });
  assert.equal(parsePcpMapResponse(reply, request).lifetimeSeconds, 0);
});
