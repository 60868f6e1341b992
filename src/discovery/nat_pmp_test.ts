import assert from "node:assert/strict";
import { HdpError } from "../wire/mod.ts";
import {
  natPmpExternalAddressRequest,
  natPmpMapRequest,
  natPmpResponse,
  parseNatPmpExternalAddress,
  parseNatPmpMapping,
} from "./nat_pmp.ts";

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

Deno.test("The NAT-PMP external address request is version 0, opcode 0", () => {
  assert.deepEqual(natPmpExternalAddressRequest(), hex("0000"));
});

Deno.test("A NAT-PMP UDP map request lays out ports and lifetime as RFC 6886 section 3.3 says", () => {
  // version 0, opcode 1 (UDP), reserved, internal 4433 (0x1151), external 4433, lifetime 7200
  assert.deepEqual(
    natPmpMapRequest(4433, { lifetimeSeconds: 7200 }),
    hex("0001 0000 1151 1151 00001c20"),
  );
  // deleting: lifetime 0, external port 0
  assert.deepEqual(
    natPmpMapRequest(4433, { externalPort: 0, lifetimeSeconds: 0 }),
    hex("0001 0000 1151 0000 00000000"),
  );
});

Deno.test("A NAT-PMP map request refuses ports out of range", () => {
  throwsCode(() => natPmpMapRequest(0), "BAD_REQUEST", /internal port/);
  throwsCode(() => natPmpMapRequest(70000), "BAD_REQUEST", /internal port/);
  throwsCode(() => natPmpMapRequest(1, { lifetimeSeconds: -1 }), "BAD_REQUEST", /lifetime/);
});

Deno.test("A NAT-PMP external address response decodes to the epoch and the address", () => {
  // version 0, opcode 128, result 0, epoch 1000, 203.0.113.7
  const reply = hex("0080 0000 000003e8 cb007107");
  assert.deepEqual(parseNatPmpExternalAddress(reply), { epoch: 1000, externalIp: "203.0.113.7" });
});

Deno.test("A NAT-PMP map response decodes and round-trips through the test encoder", () => {
  // version 0, opcode 129, result 0, epoch 5, internal 4433, external 40000 (0x9c40), 3600 s
  const reply = hex("0081 0000 00000005 1151 9c40 00000e10");
  const expected = { epoch: 5, internalPort: 4433, externalPort: 40000, lifetimeSeconds: 3600 };
  assert.deepEqual(parseNatPmpMapping(reply, 4433), expected);
  assert.deepEqual(natPmpResponse(1, 0, 5, hex("1151 9c40 00000e10")), reply);
});

Deno.test("A NAT-PMP response that is short, long or of another opcode is refused", () => {
  throwsCode(() => parseNatPmpExternalAddress(hex("00")), "PROTOCOL", /shorter than a header/);
  throwsCode(
    () => parseNatPmpExternalAddress(hex("0080 0000 000003e8 cb00")),
    "PROTOCOL",
    /10 bytes/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0000 00000005 1151 9c40 00000e10 00"), 4433),
    "PROTOCOL",
    /17 bytes/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0080 0000 00000005 1151 9c40 00000e10"), 4433),
    "PROTOCOL",
    /opcode is 128/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0001 0000 00000005 1151 9c40 00000e10"), 4433),
    "PROTOCOL",
    /opcode is 1,/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0381 0000 00000005 1151 9c40 00000e10"), 4433),
    "PROTOCOL",
    /version is 3/,
  );
});

Deno.test("A NAT-PMP mapping of another internal port or of external port 0 is refused", () => {
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0000 00000005 1152 9c40 00000e10"), 4433),
    "PROTOCOL",
    /internal port 4434/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0000 00000005 1151 0000 00000e10"), 4433),
    "PROTOCOL",
    /external port 0/,
  );
});

Deno.test("NAT-PMP result codes become coded errors, whatever the body's length", () => {
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0001 00000005"), 4433),
    "UNSUPPORTED",
    /unsupported version/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0002 00000005 1151 0000 00000000"), 4433),
    "FORBIDDEN",
    /not authorized/,
  );
  throwsCode(
    () => parseNatPmpExternalAddress(hex("0080 0003 00000005 00000000")),
    "UNAVAILABLE",
    /network failure/,
  );
  throwsCode(() => parseNatPmpMapping(hex("0081 0004 00000005"), 4433), "BUSY", /out of resources/);
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0005 00000005"), 4433),
    "UNSUPPORTED",
    /unsupported opcode/,
  );
  throwsCode(
    () => parseNatPmpMapping(hex("0081 0063 00000005"), 4433),
    "PROTOCOL",
    /unknown result code 99/,
  );
});

Deno.test("A PCP server's unsupported-version answer in its own version reads as UNSUPPORTED", () => {
  // version 2, R + opcode MAP, reserved, result 1 (UNSUPP_VERSION), then a PCP header's rest
  const pcpReply = new Uint8Array(24);
  pcpReply.set([2, 0x81, 0, 1]);
  throwsCode(() => parseNatPmpMapping(pcpReply, 4433), "UNSUPPORTED", /unsupported version/);
});
