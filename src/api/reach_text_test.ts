import assert from "node:assert/strict";
import { candidatesText, mappingText, relayText } from "./reach_text.ts";

Deno.test("candidates read as host:port with their kind, IPv6 in brackets", () => {
  assert.equal(
    candidatesText([
      { kind: "public", ip: "203.0.113.9", port: 40000 },
      { kind: "ipv6", ip: "2001:db8::10", port: 40000 },
    ]),
    "203.0.113.9:40000 (public), [2001:db8::10]:40000 (ipv6)",
  );
  assert.equal(candidatesText([]), "-");
});

Deno.test("the port mapping reads as where and by what, or why there is none", () => {
  const mapping = { protocol: "pcp", externalIp: "203.0.113.9", externalPort: 41000 };
  assert.equal(mappingText({ state: "mapped", mapping }), "203.0.113.9:41000 by pcp");
  assert.equal(
    mappingText({ state: "unusable", mapping, why: "Behind a carrier's NAT" }),
    "203.0.113.9:41000 by pcp, not used: Behind a carrier's NAT",
  );
  assert.equal(mappingText({ state: "off" }), "off (--no-port-mapping)");
  assert.equal(mappingText({ state: "none" }), "none (the router did not map a port)");
  assert.equal(mappingText({ state: "trying" }), "asking the router…");
  assert.equal(mappingText(undefined), "-");
});

Deno.test("what the node relays reads as whom and how much, or that it is off", () => {
  assert.equal(relayText(undefined), "-");
  const off = { enabled: false, maxCircuits: 16, rate: 10_000_000, pairs: [], relayedBytes: 0 };
  assert.equal(relayText(off), "off (--relay off)");
  assert.equal(
    relayText({ ...off, enabled: true }),
    "on, nothing now (0 B so far; at most 10 MB/s)",
  );
  assert.equal(
    relayText({ ...off, enabled: true, rate: 0 }),
    "on, nothing now (0 B so far; within the upload limit)",
  );
  const pair = (from: string, to: string, circuits: number, bytes: number) => ({
    from: { keyHex: "aa", name: from },
    to: { keyHex: "bb", name: to },
    circuits,
    bytes,
  });
  assert.equal(
    relayText({
      ...off,
      enabled: true,
      pairs: [pair("KindOtter", "BoldFinch", 2, 64 * 2 ** 20), pair("A", "B", 1, 0)],
      relayedBytes: 2 ** 30,
    }),
    "KindOtter → BoldFinch: 2 circuits, 64.0 MiB; A → B: 1 circuit, 0 B (1.0 GiB so far; at most 10 MB/s)",
  );
});
