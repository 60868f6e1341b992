/**
 * Two peers on an offline LAN segment of the namespace lab find each other through
 * src/discovery/mdns.ts within 2 s. Skipped (with the reason printed) where the lab cannot run.
 */
import assert from "node:assert/strict";
import { Lab, labSkipReason } from "./_lab.ts";

const skip = await labSkipReason();
if (skip) console.log(`mdns_lab_test: skipped: ${skip}`);

interface MdnsPeerReport {
  announce: string;
  readyAt: number;
  found: { announce: string; verified: boolean; from: string; at: number }[];
}

Deno.test({
  name: "two peers on an offline LAN discover each other over mDNS within 2 s",
  ignore: skip !== undefined,
  fn: async () => {
    await using lab = new Lab("m");
    const peers = await lab.run("lan", "--offline", "--site", "dark", "m1", "m2");
    const [m1, m2] = peers;
    assert.ok(m1?.ns && m2?.ns, JSON.stringify(peers));
    const [a, b] = await Promise.all([
      lab.deno(m1.ns, "tests/lab/mdns_peer.ts", ["--duration", "4000"]),
      lab.deno(m2.ns, "tests/lab/mdns_peer.ts", ["--duration", "4000"]),
    ]) as [MdnsPeerReport, MdnsPeerReport];
    const bothReady = Math.max(a.readyAt, b.readyAt);
    for (const [self, other, from] of [[a, b, m2], [b, a, m1]] as const) {
      assert.equal(self.found.length, 1, `exactly the other peer: ${JSON.stringify(self.found)}`);
      const [seen] = self.found;
      assert.equal(seen?.announce, other.announce);
      assert.equal(seen?.verified, true);
      assert.equal(seen?.from, `${from.private}:5353`);
      const delay = (seen?.at ?? Infinity) - bothReady;
      assert.ok(delay <= 2000, `found ${delay} ms after both were up`);
    }
  },
});
