/**
 * src/discovery/stun_client.ts against the lab's coturn (two server IPs) from behind each NAT
 * type of the namespace lab. Skipped (with the reason printed) where the lab cannot run.
 */
import assert from "node:assert/strict";
import type { PublicAddress } from "../../src/discovery/mod.ts";
import { Lab, labSkipReason } from "./_lab.ts";

const skip = await labSkipReason();
if (skip) console.log(`stun_lab_test: skipped: ${skip}`);

const STUN = ["198.51.100.10:3478", "198.51.100.20:3478"];
const PORT = 40000;

Deno.test({
  name: "STUN from behind none, cone, restricted and symmetric NATs gives none, easy, easy, hard",
  ignore: skip !== undefined,
  fn: async () => {
    await using lab = new Lab("s");
    const expected = { none: "none", cone: "easy", restricted: "easy", symmetric: "hard" };
    const peers = [];
    for (const nat of Object.keys(expected)) peers.push(...await lab.run("peer", nat, nat));
    const learned = await Promise.all(
      peers.map((peer) => lab.deno(peer.ns!, "tests/lab/stun_peer.ts", [String(PORT), ...STUN])),
    ) as PublicAddress[];
    peers.forEach((peer, i) => {
      const { natType, mapped, results } = learned[i]!;
      const why = `${peer.nat}: ${JSON.stringify(learned[i])}`;
      assert.equal(natType, expected[peer.nat as keyof typeof expected], why);
      assert.equal(mapped.length, 2, why);
      assert.ok(mapped.every((m) => m.ip === peer.public), why);
      assert.ok(results.every((r) => typeof r.rttMs === "number"), why);
      if (peer.nat === "none") assert.ok(mapped.every((m) => m.port === PORT), why);
    });
  },
});

Deno.test({
  name: "STUN from an offline LAN fails fast and says unknown",
  ignore: skip !== undefined,
  fn: async () => {
    await using lab = new Lab("o");
    const [peer] = await lab.run("lan", "--offline", "--site", "dark", "d1");
    const started = Date.now();
    const learned = await lab.deno(peer!.ns!, "tests/lab/stun_peer.ts", [
      String(PORT),
      ...STUN,
    ]) as PublicAddress;
    assert.equal(learned.natType, "unknown");
    assert.deepEqual(learned.mapped, []);
    assert.deepEqual(learned.results.map((r) => r.code), ["IO", "IO"], JSON.stringify(learned));
    assert.ok(Date.now() - started < 10_000);
  },
});
