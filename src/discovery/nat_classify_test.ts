import assert from "node:assert/strict";
import { classifyNat } from "./nat_classify.ts";
import type { NatType } from "./nat_type.ts";
import type { MappedAddress } from "./stun_message.ts";

const LOCAL = ["192.168.1.10", "2001:db8::10"];
const PORT = 40000;

function at(text: string): MappedAddress {
  const i = text.lastIndexOf(":");
  return { ip: text.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(text.slice(i + 1)) };
}

const CASES: [string, string[], NatType][] = [
  ["no server answered", [], "unknown"],
  ["one server saw our own address and port", ["192.168.1.10:40000"], "none"],
  [
    "two servers saw our own address and port",
    ["192.168.1.10:40000", "192.168.1.10:40000"],
    "none",
  ],
  ["our own IPv6 address, spelt differently", ["[2001:0db8:0:0::0010]:40000"], "none"],
  ["our own IPv4 address as IPv4-mapped IPv6", ["[::ffff:192.168.1.10]:40000"], "none"],
  ["one server saw a public address", ["203.0.113.5:40000"], "unknown"],
  ["one server saw our address with another port", ["192.168.1.10:40001"], "unknown"],
  ["two servers saw the same public ip:port", ["203.0.113.5:40000", "203.0.113.5:40000"], "easy"],
  ["the same mapping with a rewritten port", ["203.0.113.5:1234", "203.0.113.5:1234"], "easy"],
  ["three servers agree", ["203.0.113.5:7", "203.0.113.5:7", "203.0.113.5:7"], "easy"],
  ["our own address with the same other port", ["192.168.1.10:5", "192.168.1.10:5"], "easy"],
  ["two servers saw different ports", ["203.0.113.5:40000", "203.0.113.5:40001"], "hard"],
  ["two servers saw different IPs", ["203.0.113.5:40000", "198.51.100.9:40000"], "hard"],
  ["one saw us directly, one through a NAT", ["192.168.1.10:40000", "203.0.113.5:40000"], "hard"],
  ["the third server disagrees", ["203.0.113.5:7", "203.0.113.5:7", "203.0.113.5:8"], "hard"],
];

for (const [situation, mapped, expected] of CASES) {
  Deno.test(`classifyNat says ${expected} when ${situation}`, () => {
    assert.equal(classifyNat(LOCAL, PORT, mapped.map(at)), expected);
  });
}

Deno.test("classifyNat never says none without local addresses", () => {
  assert.equal(classifyNat([], PORT, [at("192.168.1.10:40000")]), "unknown");
  assert.equal(classifyNat([], PORT, [at("192.168.1.10:40000"), at("192.168.1.10:40000")]), "easy");
});
