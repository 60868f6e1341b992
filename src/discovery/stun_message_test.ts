import assert from "node:assert/strict";
import { HdpError } from "../wire/mod.ts";
import {
  bindingRequest,
  bindingSuccessResponse,
  MAGIC_COOKIE,
  newTransactionId,
  parseBindingResponse,
  transactionIdOf,
} from "./stun_message.ts";

function hex(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  return Uint8Array.from(
    { length: compact.length / 2 },
    (_, i) => parseInt(compact.slice(i * 2, i * 2 + 2), 16),
  );
}

// RFC 5769 sections 2.2 and 2.3: SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT
// (the codec does not check integrity or fingerprint, so only their framing matters here).
const RFC_ID = hex("b7e7a701 bc34d686 fa87dfae");
const RFC_IPV4 = hex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e9000 1e2b1f4d eb6e4dce 4b00c2ce
  80280004 c07d4c96`);
const RFC_IPV6 = hex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784e6b2 b8d4c78f 1c0c1e65
  80280004 c8fb0b4c`);

function refused(bytes: Uint8Array, id: Uint8Array, why: RegExp): void {
  assert.throws(() => parseBindingResponse(bytes, id), (error: unknown) => {
    assert.ok(error instanceof HdpError);
    assert.equal(error.code, "PROTOCOL");
    assert.match(error.message, why);
    return true;
  });
}

Deno.test("a binding request is a 20-byte header with the cookie and transaction id", () => {
  const id = newTransactionId();
  const request = bindingRequest(id);
  assert.equal(request.length, 20);
  const view = new DataView(request.buffer);
  assert.equal(view.getUint16(0), 0x0001);
  assert.equal(view.getUint16(2), 0);
  assert.equal(view.getUint32(4), MAGIC_COOKIE);
  assert.deepEqual(request.subarray(8), id);
  assert.deepEqual(transactionIdOf(request), id);
});

Deno.test("a transaction id that is not 12 bytes is refused", () => {
  assert.throws(() => bindingRequest(new Uint8Array(11)), { code: "BAD_REQUEST" });
  assert.throws(() => bindingRequest(new Uint8Array(16)), { code: "BAD_REQUEST" });
});

Deno.test("the RFC 5769 sample responses give their IPv4 and IPv6 mapped addresses", () => {
  assert.deepEqual(parseBindingResponse(RFC_IPV4, RFC_ID), { ip: "192.0.2.1", port: 32853 });
  assert.deepEqual(parseBindingResponse(RFC_IPV6, RFC_ID), {
    ip: "2001:db8:1234:5678:11:2233:4455:6677",
    port: 32853,
  });
});

Deno.test("responses round-trip through the encoder, XORed and legacy", () => {
  const id = newTransactionId();
  for (const mapped of [{ ip: "203.0.113.7", port: 1 }, { ip: "2001:db8::9", port: 65535 }]) {
    assert.deepEqual(parseBindingResponse(bindingSuccessResponse(id, mapped), id), mapped);
    const legacy = bindingSuccessResponse(id, mapped, { legacy: true });
    assert.deepEqual(parseBindingResponse(legacy, id), mapped);
  }
});

Deno.test("XOR-MAPPED-ADDRESS wins over MAPPED-ADDRESS whatever their order", () => {
  const id = newTransactionId();
  const plain = bindingSuccessResponse(id, { ip: "10.0.0.1", port: 1000 }, { legacy: true });
  const xored = bindingSuccessResponse(id, { ip: "198.51.100.4", port: 2000 });
  const both = new Uint8Array(20 + 12 + 12);
  both.set(plain.subarray(0, 20));
  both.set(plain.subarray(20), 20);
  both.set(xored.subarray(20), 32);
  new DataView(both.buffer).setUint16(2, 24);
  assert.deepEqual(parseBindingResponse(both, id), { ip: "198.51.100.4", port: 2000 });
});

Deno.test("malformed responses are refused with a PROTOCOL error that says why", () => {
  const id = newTransactionId();
  const good = bindingSuccessResponse(id, { ip: "192.0.2.1", port: 4000 });
  const patch = (offset: number, ...bytes: number[]): Uint8Array => {
    const copy = good.slice();
    copy.set(bytes, offset);
    return copy;
  };
  refused(new Uint8Array(0), id, /shorter than a header/);
  refused(good.subarray(0, 19), id, /shorter than a header/);
  refused(patch(4, 0x21, 0x12, 0xa4, 0x43), id, /magic cookie/);
  refused(good, newTransactionId(), /transaction id/);
  refused(patch(0, 0x01, 0x11), id, /error response/);
  refused(patch(0, 0x00, 0x01), id, /not a success/);
  refused(patch(0, 0xc1, 0x01), id, /first two bits/);
  refused(patch(2, 0x00, 0x0d), id, /multiple of 4/);
  refused(patch(2, 0x00, 0x10), id, /length field/);
  refused(good.subarray(0, 28), id, /length field/);
  refused(patch(22, 0x00, 0x40), id, /runs past the end/);
  refused(patch(25, 0x03), id, /family 3 is unknown/);
  const stub = new Uint8Array(28); // an XOR-MAPPED-ADDRESS of 2 bytes, padded to 4
  stub.set(good.subarray(0, 20));
  stub.set([0x00, 0x08], 2);
  stub.set([0x00, 0x20, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00], 20);
  refused(stub, id, /shorter than 4 bytes/);
  refused(patch(20, 0x80, 0x22), id, /no \(XOR-\)MAPPED-ADDRESS/);
  refused(patch(26, 0x21, 0x12), id, /port is 0/);
  const header = good.slice(0, 20);
  new DataView(header.buffer).setUint16(2, 0);
  refused(header, id, /no \(XOR-\)MAPPED-ADDRESS/);
  const ipv6Cut = bindingSuccessResponse(id, { ip: "2001:db8::1", port: 9 });
  ipv6Cut[25] = 0x01; // says IPv4 but carries 16 bytes
  refused(ipv6Cut, id, /IPv4 address is cut/);
});

Deno.test("transactionIdOf ignores what is not a STUN message", () => {
  assert.equal(transactionIdOf(new Uint8Array(19)), undefined);
  assert.equal(transactionIdOf(new Uint8Array(20)), undefined);
  const quic = bindingRequest(newTransactionId());
  quic[0] = 0xc0;
  assert.equal(transactionIdOf(quic), undefined);
});

Deno.test("thousands of random and mutated buffers never throw anything but PROTOCOL", () => {
  const id = RFC_ID;
  const seeds = [RFC_IPV4, RFC_IPV6, bindingSuccessResponse(id, { ip: "1.2.3.4", port: 5 })];
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let parsed = 0;
  for (let round = 0; round < 20_000; round++) {
    let bytes: Uint8Array;
    if (round % 4 === 0) {
      bytes = Uint8Array.from({ length: random(80) }, () => random(256));
      if (bytes.length >= 20 && random(2) === 0) {
        new DataView(bytes.buffer).setUint32(4, MAGIC_COOKIE);
        bytes.set(id, 8);
      }
    } else {
      bytes = seeds[random(seeds.length)]!.slice();
      for (let flips = 1 + random(4); flips > 0; flips--) {
        const what = random(3);
        if (what === 0) bytes[random(bytes.length)] = random(256);
        else if (what === 1) bytes = bytes.subarray(0, random(bytes.length + 1));
        else new DataView(bytes.buffer).setUint16(2, random(0x10000));
      }
    }
    try {
      const mapped = parseBindingResponse(bytes, id);
      assert.ok(mapped.port > 0 && mapped.port < 65536);
      assert.ok(mapped.ip.length > 0);
      parsed++;
    } catch (error) {
      assert.ok(error instanceof HdpError, `not an HdpError: ${error}`);
      assert.equal(error.code, "PROTOCOL");
    }
  }
  assert.ok(parsed > 0, "some mutations still parse");
});
