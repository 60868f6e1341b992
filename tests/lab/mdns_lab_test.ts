/**
 * Two peers on an offline LAN segment of the namespace lab find each other through
 * src/discovery/mdns.ts within 2 s; two daemons on a link with IPv6 alone find each other over
 * ff02::fb and connect. Skipped (with the reason printed) where the lab cannot run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { NodeInfo, PeerInfo } from "../../src/api/mod.ts";
import { type NsDaemon, startDaemonInNs } from "./_daemon_in_ns.ts";
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

Deno.test({
  name:
    "two daemons on an IPv6-only link find each other over mDNS (ff02::fb) and connect over IPv6",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const id = Math.random().toString(36).slice(2, 6);
    const ns = [`hdp6m${id}a`, `hdp6m${id}b`];
    const ip = async (...args: string[]) => {
      const out = await new Deno.Command("ip", { args, stderr: "piped" }).output();
      if (!out.success) {
        throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
      }
    };
    const root = await Deno.makeTempDir({ prefix: "hdp-mdns6-" });
    const daemons: NsDaemon[] = [];
    try {
      await Deno.mkdir(join(root, "share"));
      for (const name of ns) await ip("netns", "add", name);
      await ip(
        "-n",
        ns[0]!,
        "link",
        "add",
        "v6a",
        "type",
        "veth",
        "peer",
        "name",
        "v6b",
        "netns",
        ns[1]!,
      );
      for (const [i, name] of ns.entries()) {
        const dev = i === 0 ? "v6a" : "v6b";
        await ip("-n", name, "link", "set", "lo", "up");
        await ip("-n", name, "addr", "add", `fd00:6d::${i + 1}/64`, "dev", dev, "nodad");
        await ip("-n", name, "link", "set", dev, "up");
      }
      // no IPv4 beyond loopback, no route anywhere else: the LAN is all there is
      const started = await Promise.all(ns.map((name, i) =>
        startDaemonInNs(name, {
          storage: join(root, `${i}/storage`),
          downloadDir: join(root, `${i}/downloads`),
          shareDir: join(root, "share"),
          port: 40000,
          stunServers: ["[fd00:6d::99]:3478"],
          mdns: true,
          portMapping: false,
        })
      ));
      daemons.push(...started);
      const [a, b] = started as [NsDaemon, NsDaemon];
      const [infoA, infoB] = await Promise.all([
        a.json<NodeInfo>("info"),
        b.json<NodeInfo>("info"),
      ]);
      const up = Math.max(a.readyAt, b.readyAt);
      let paths: string[] = [];
      while (Date.now() - up < 10_000) {
        const [peersA, peersB] = await Promise.all([
          a.json<PeerInfo[]>("peers"),
          b.json<PeerInfo[]>("peers"),
        ]);
        const seen = [
          peersA.find((p) => p.keyHex === infoB.publicKey),
          peersB.find((p) => p.keyHex === infoA.publicKey),
        ];
        paths = seen.map((p) =>
          p?.status === "connected" && p.path ? `${p.path.family} ${p.path.via}` : p?.status ?? "-"
        );
        if (paths.every((p) => p.startsWith("IPv6"))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const ms = Date.now() - up;
      console.log(`IPv6-only link: ${paths.join(" / ")} ${ms} ms after both were up`);
      assert.deepEqual(paths, ["IPv6 lan", "IPv6 lan"], `after ${ms} ms`);
    } finally {
      await Promise.all(daemons.map((d) => d.kill()));
      for (const name of ns) await ip("netns", "del", name).catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
