import assert from "node:assert/strict";
import {
  ANNOUNCE_PREFIX,
  type AnnounceAddress,
  bytesToIp,
  decodeAnnounceAddress,
  encodeAnnounceAddress,
  ipToBytes,
} from "./announce_address.ts";

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const v4: AnnounceAddress = { publicKey: key, ip: "203.0.113.9", port: 51234, natType: "easy" };

Deno.test("an announce address round-trips for IPv4 and IPv6 and every NAT type", () => {
  for (const natType of ["unknown", "none", "easy", "hard"] as const) {
    for (const ip of ["203.0.113.9", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1:2:3:4"]) {
      const address = { ...v4, ip, natType };
      const decoded = decodeAnnounceAddress(encodeAnnounceAddress(address));
      assert.deepEqual(decoded.publicKey, key);
      assert.equal(decoded.port, 51234);
      assert.equal(decoded.natType, natType);
      assert.deepEqual(ipToBytes(decoded.ip), ipToBytes(ip));
    }
  }
});

Deno.test("an announce address is short, lower case and tolerates wrapping and upper case", () => {
  const text = encodeAnnounceAddress(v4);
  assert.ok(text.startsWith(ANNOUNCE_PREFIX));
  assert.match(text, /^hdp1[a-z2-7]+$/);
  assert.ok(text.length < 80, `${text.length} characters`);
  const wrapped = ` ${text.slice(0, 30)}\n  ${text.slice(30).toUpperCase()}\t`;
  assert.deepEqual(decodeAnnounceAddress(wrapped), decodeAnnounceAddress(text));
});

Deno.test("every single-character typo is caught by the checksum or the alphabet", () => {
  const text = encodeAnnounceAddress(v4);
  for (let i = ANNOUNCE_PREFIX.length; i < text.length; i++) {
    for (const c of "ab7") {
      if (text[i] === c) continue;
      const typo = text.slice(0, i) + c + text.slice(i + 1);
      assert.throws(() => decodeAnnounceAddress(typo), { code: "BAD_REQUEST" });
    }
  }
});

Deno.test("malformed announce addresses are refused with a message that says why", () => {
  const text = encodeAnnounceAddress(v4);
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["hello", /must start with "hdp1"/],
    [text.slice(0, -5), /wrong length|checksum/],
    [text + "aa", /wrong length|checksum/],
    [text.slice(0, 10) + "!" + text.slice(11), /not an allowed character/],
    [text.slice(0, 10) + "1" + text.slice(11), /not an allowed character/],
    ["hdp1" + "a".repeat(500), /too long/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => decodeAnnounceAddress(input), (error: Error & { code?: string }) => {
      assert.equal(error.code, "BAD_REQUEST");
      assert.match(error.message, /^Not a valid announce address: /);
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(() => decodeAnnounceAddress(42 as unknown as string), { code: "BAD_REQUEST" });
});

Deno.test("encoding refuses a bad key, port or IP", () => {
  assert.throws(() => encodeAnnounceAddress({ ...v4, publicKey: new Uint8Array(31) }));
  assert.throws(() => encodeAnnounceAddress({ ...v4, port: 0 }));
  assert.throws(() => encodeAnnounceAddress({ ...v4, port: 70000 }));
  assert.throws(() => encodeAnnounceAddress({ ...v4, ip: "999.1.1.1" }));
  assert.throws(() => encodeAnnounceAddress({ ...v4, ip: "example.com" }));
});

Deno.test("IPv6 text is compressed the standard way", () => {
  assert.equal(bytesToIp(ipToBytes("2001:db8:0:0:0:0:0:1")!), "2001:db8::1");
  assert.equal(bytesToIp(ipToBytes("::")!), "::");
  assert.equal(bytesToIp(ipToBytes("::1")!), "::1");
  assert.equal(bytesToIp(ipToBytes("1:0:2:0:0:3:0:4")!), "1:0:2::3:0:4");
  assert.equal(bytesToIp(ipToBytes("10.0.0.1")!), "10.0.0.1");
});

const candidates = [
  { kind: "ipv6", ip: "2001:db8:5::10", port: 40000 },
  { kind: "mapped", ip: "203.0.113.9", port: 61000 },
  { kind: "public", ip: "203.0.113.9", port: 51234 },
  { kind: "lan", ip: "192.168.5.10", port: 40000 },
] as const;

Deno.test("an address with several candidates is version 2 and keeps their kinds and order", () => {
  const text = encodeAnnounceAddress({ ...v4, candidates: [...candidates] });
  assert.match(text, /^hdp2[a-z2-7]+$/);
  const decoded = decodeAnnounceAddress(text);
  assert.deepEqual(decoded.candidates, candidates);
  assert.equal(decoded.ip, "2001:db8:5::10"); // the first candidate is the primary address
  assert.equal(decoded.port, 40000);
  assert.equal(decoded.natType, "easy");
  assert.deepEqual(decoded.publicKey, key);
  assert.ok(text.length < 140, `${text.length} characters`);
});

Deno.test("one candidate of the kind its address suggests stays version 1, old peers read it", () => {
  const text = encodeAnnounceAddress({
    ...v4,
    candidates: [{ kind: "public", ip: "203.0.113.9", port: 51234 }],
  });
  assert.equal(text, encodeAnnounceAddress(v4));
  assert.match(text, /^hdp1/);
  assert.deepEqual(decodeAnnounceAddress(text).candidates, [
    { kind: "public", ip: "203.0.113.9", port: 51234 },
  ]);
  // a lone router mapping is not what a bare IPv4 address suggests: version 2 says so
  const mapped = encodeAnnounceAddress({
    ...v4,
    candidates: [{ kind: "mapped", ip: "203.0.113.9", port: 61000 }],
  });
  assert.match(mapped, /^hdp2/);
  assert.equal(decodeAnnounceAddress(mapped).candidates[0]!.kind, "mapped");
});

Deno.test("a version 1 address decodes to one candidate of the kind its address is", () => {
  const kinds = [["203.0.113.9", "public"], ["192.168.1.4", "lan"], ["2001:db8::1", "ipv6"]];
  for (const [ip, kind] of kinds) {
    const decoded = decodeAnnounceAddress(encodeAnnounceAddress({ ...v4, ip: ip! }));
    assert.deepEqual(decoded.candidates, [{ kind, ip, port: 51234 }]);
  }
});

Deno.test("every typo in a version 2 address is caught, and malformed ones say what is wrong", () => {
  const text = encodeAnnounceAddress({ ...v4, candidates: [...candidates] });
  for (let i = 4; i < text.length; i++) {
    const c = text[i] === "a" ? "b" : "a";
    assert.throws(() => decodeAnnounceAddress(text.slice(0, i) + c + text.slice(i + 1)), {
      code: "BAD_REQUEST",
    });
  }
  assert.throws(() => decodeAnnounceAddress(text.slice(0, 60)), { code: "BAD_REQUEST" });
  assert.throws(() => decodeAnnounceAddress("hdp3" + text.slice(4)), /must start with/);
  assert.throws(
    () => encodeAnnounceAddress({ ...v4, candidates: Array(9).fill(candidates[1]) }),
    /At most 8/,
  );
  assert.throws(() => encodeAnnounceAddress({ ...v4, candidates: [] }), { code: "BAD_REQUEST" });
  assert.throws(
    () => encodeAnnounceAddress({ ...v4, candidates: [{ kind: "lan", ip: "x", port: 1 }] }),
    /Not an IP address/,
  );
});
