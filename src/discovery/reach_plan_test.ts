import assert from "node:assert/strict";
import type { Candidate } from "./candidate.ts";
import { NEEDS_RELAY } from "./hole_punch.ts";
import type { NatType } from "./nat_type.ts";
import { type OwnReach, reachableWithoutPunching, reachPlan, THEIR_SIDE } from "./reach_plan.ts";

const v6: Candidate = { kind: "ipv6", ip: "2001:db8:2::10", port: 4000 };
const mapped: Candidate = { kind: "mapped", ip: "203.0.113.12", port: 6000 };
const pub: Candidate = { kind: "public", ip: "203.0.113.12", port: 5000 };
const lan: Candidate = { kind: "lan", ip: "192.168.2.10", port: 4000 };

function own(natType: NatType, ...candidates: Candidate[]): OwnReach {
  return { natType, candidates, lan: [{ address: "192.168.7.10", netmask: "255.255.255.0" }] };
}

function tried(mine: OwnReach, natType: NatType, ...candidates: Candidate[]) {
  const plan = reachPlan(mine, { natType, candidates });
  return plan.attempts.length
    ? plan.attempts.map((a) => `${a.candidate.kind}:${a.how}:${a.path.family} ${a.path.via}`)
    : plan.refusal;
}

Deno.test("IPv6 goes first when both have it, then the router's mapping, STUN's, the LAN", () => {
  assert.deepEqual(
    tried(own("easy", { ...v6, ip: "2001:db8:7::10" }, pub), "easy", lan, pub, mapped, v6),
    [
      "ipv6:direct:IPv6 direct",
      "mapped:direct:IPv4 mapped",
      "public:direct:IPv4 punched",
      "lan:direct:IPv4 lan",
    ],
  );
});

Deno.test("a peer's IPv6 is no use to a node without IPv6", () => {
  assert.deepEqual(tried(own("easy", pub), "none", v6, pub), ["public:direct:IPv4 direct"]);
});

Deno.test("two symmetric NATs need a relay unless one side has a mapping or both IPv6", () => {
  assert.equal(tried(own("hard", pub), "hard", pub), NEEDS_RELAY);
  // their router opened a port: dial it
  assert.deepEqual(tried(own("hard", pub), "hard", pub, mapped), ["mapped:direct:IPv4 mapped"]);
  // ours did: only they can dial, so say so rather than "needs relay"
  assert.equal(tried(own("hard", pub, mapped), "hard", pub), THEIR_SIDE);
  // both have IPv6 behind firewalls: dial at once over IPv6
  assert.deepEqual(tried(own("hard", pub, { ...v6, ip: "2001:db8:7::1" }), "hard", pub, v6), [
    "ipv6:direct:IPv6 direct",
  ]);
  // only they have IPv6: still a relay
  assert.equal(tried(own("hard", pub), "hard", pub, v6), NEEDS_RELAY);
});

Deno.test("the birthday paradox is planned for the public candidate between easy and hard", () => {
  assert.deepEqual(tried(own("hard", pub), "easy", pub), ["public:spray:IPv4 punched"]);
  assert.deepEqual(tried(own("easy", pub), "hard", pub), ["public:probe:IPv4 punched"]);
  assert.deepEqual(tried(own("hard", pub), "easy", mapped, pub), [
    "mapped:direct:IPv4 mapped",
    "public:spray:IPv4 punched",
  ]);
});

Deno.test("a LAN candidate is tried only by a node with a private address itself", () => {
  assert.deepEqual(tried(own("hard", pub), "hard", pub, lan), ["lan:direct:IPv4 lan"]);
  const publicOnly: OwnReach = { natType: "none", candidates: [pub], lan: [] };
  assert.deepEqual(tried(publicOnly, "easy", pub, lan), ["public:direct:IPv4 punched"]);
});

Deno.test("a LAN candidate is tried behind the same public address, or in our subnet when that is unknown", () => {
  const other: Candidate = { kind: "public", ip: "198.51.100.40", port: 5000 };
  const sameHome: Candidate = { kind: "lan", ip: "192.168.7.33", port: 4000 };
  // two homes, two NATs: their 192.168.2.10 is not on our LAN, even in a subnet like ours
  assert.equal(tried(own("hard", other), "hard", pub, lan), NEEDS_RELAY);
  assert.equal(tried(own("hard", other), "hard", pub, sameHome), NEEDS_RELAY);
  // one NAT for both: its LAN is ours, and if they are not there a relay is still the answer
  const plan = reachPlan(own("hard", pub), { natType: "hard", candidates: [pub, lan] });
  assert.deepEqual(plan.attempts.map((a) => a.candidate), [lan]);
  assert.equal(plan.refusal, NEEDS_RELAY);
  // our public address unknown (no STUN): a LAN address in our subnet, not one elsewhere
  assert.deepEqual(tried(own("unknown"), "hard", pub, sameHome), [
    "public:direct:IPv4 punched",
    "lan:direct:IPv4 lan",
  ]);
  assert.deepEqual(tried(own("unknown"), "hard", sameHome), ["lan:direct:IPv4 lan"]);
  assert.deepEqual(tried(own("unknown"), "none", pub, lan), ["public:direct:IPv4 direct"]);
  const wide: OwnReach = {
    natType: "unknown",
    candidates: [],
    lan: [{ address: "10.1.2.3", netmask: "255.0.0.0" }],
  };
  assert.deepEqual(tried(wide, "hard", { kind: "lan", ip: "10.200.0.9", port: 1 }), [
    "lan:direct:IPv4 lan",
  ]);
});

Deno.test("an attempt beyond the LAN leaves no refusal to fall back on", () => {
  const plan = reachPlan(own("hard", pub), { natType: "hard", candidates: [pub, lan, mapped] });
  assert.equal(plan.refusal, undefined);
});

Deno.test("a peer with LAN addresses only leaves no refusal: its dial's error says why", () => {
  const plan = reachPlan(own("unknown"), {
    natType: "unknown",
    candidates: [{ kind: "lan", ip: "192.168.7.40", port: 4000 }],
  });
  assert.equal(plan.attempts.length, 1);
  assert.equal(plan.refusal, undefined);
});

Deno.test("a node with no NAT or a mapped port is reachable without punching (and needs no relay)", () => {
  const at = (kind: "public" | "mapped" | "lan") => ({ kind, ip: "203.0.113.5", port: 4000 });
  assert.equal(reachableWithoutPunching({ natType: "none", candidates: [at("public")] }), true);
  assert.equal(reachableWithoutPunching({ natType: "hard", candidates: [at("mapped")] }), true);
  assert.equal(reachableWithoutPunching({ natType: "hard", candidates: [at("public")] }), false);
  assert.equal(reachableWithoutPunching({ natType: "easy", candidates: [at("lan")] }), false);
});
