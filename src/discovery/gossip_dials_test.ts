import assert from "node:assert/strict";
import { addressScope } from "./address_scope.ts";
import { GossipDialRate, gossipDialRefusal } from "./gossip_dials.ts";

Deno.test("address scopes of IPv4 and IPv6", () => {
  const cases: Array<[string, string]> = [
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "global"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["100.128.0.1", "global"],
    ["169.254.1.1", "link-local"],
    ["224.0.0.251", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["255.255.255.0", "reserved"],
    ["240.0.0.1", "reserved"],
    ["198.51.100.10", "global"],
    ["8.8.8.8", "global"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["fd12:3456::1", "private"],
    ["ff02::fb", "multicast"],
    ["2001:db8::1", "global"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:198.51.100.1", "global"],
    ["256.1.1.1", "invalid"],
    ["1.2.3", "invalid"],
    ["1::2::3", "invalid"],
    ["example.com", "invalid"],
  ];
  for (const [ip, scope] of cases) assert.equal(addressScope(ip), scope, ip);
});

Deno.test("an announced address is dialled only where it makes sense for the path it came by", () => {
  const internet = "198.51.100.7";
  const lan = "192.168.1.20";
  const host = "127.0.0.1";
  for (const never of ["0.0.0.0", "224.0.0.251", "255.255.255.255", "169.254.3.4", "240.1.1.1"]) {
    for (const from of [internet, lan, host]) assert.ok(gossipDialRefusal(never, from), never);
  }
  assert.ok(gossipDialRefusal("127.0.0.1", internet));
  assert.ok(gossipDialRefusal("127.0.0.1", lan));
  assert.equal(gossipDialRefusal("127.0.0.1", host), undefined);
  assert.ok(gossipDialRefusal("10.0.0.1", internet));
  assert.equal(gossipDialRefusal("10.0.0.1", lan), undefined);
  assert.equal(gossipDialRefusal("10.0.0.1", host), undefined);
  for (const from of [internet, lan, host]) {
    assert.equal(gossipDialRefusal("203.0.113.5", from), undefined);
  }
  assert.match(gossipDialRefusal("224.0.0.251", internet)!, /a multicast address/);
});

Deno.test("each announcing peer causes at most its share of dials a minute", () => {
  let now = 1_000_000;
  const rate = new GossipDialRate(10, () => now);
  const taken = Array.from({ length: 15 }, () => rate.take("chatty"));
  assert.equal(taken.filter(Boolean).length, 10);
  assert.ok(rate.take("quiet"), "another peer has its own share");
  now += 59_000;
  assert.equal(rate.take("chatty"), false);
  now += 1_001;
  assert.ok(rate.take("chatty"), "a minute later it may again");
});

Deno.test("a trusted announcer has a larger share, and the rate says when the next dial may go", () => {
  let now = 1_000_000;
  const rate = new GossipDialRate(10, () => now);
  for (let i = 0; i < 10; i++) assert.ok(rate.take("friend"));
  assert.equal(rate.take("friend"), false);
  assert.equal(rate.waitFor("friend"), 60_000);
  assert.ok(rate.take("friend", 120), "a trusted announcer may cause more");
  assert.equal(rate.waitFor("friend", 120), 0);
  now += 30_000;
  assert.equal(rate.waitFor("friend"), 30_000, "the oldest of the ten counted leaves first");
  assert.equal(rate.waitFor("quiet"), 0);
});
