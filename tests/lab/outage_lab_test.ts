/**
 * A long outage in the NAT lab: two real daemons on public addresses, a 200 MiB download running
 * (the uploader's link shaped to 40 Mbit/s so that it lasts), then every UDP packet between them
 * dropped with nftables for `HDP_LAB_CUT_S` seconds (default 300: longer than the idle timeout and
 * most of the old 5-minute backoff), then the link restored. The download must resume within 20 s
 * of the link returning and end with the right sha256. Prints the measured resume delay. Skipped
 * (with the reason printed) where the lab cannot run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { DownloadItem, NodeInfo } from "../../src/api/mod.ts";
import { eventually } from "../helpers/daemon.ts";
import { type NsDaemon, startDaemonInNs } from "./_daemon_in_ns.ts";
import { Lab, labSkipReason } from "./_lab.ts";
import { fileSha256, writeRandom } from "../../bench/_util.ts";

/** How long the lab waits for the daemons' own steps. */
const LAB_WAIT_MS = 60_000;
const skip = await labSkipReason();
if (skip) console.log(`outage_lab_test: skipped: ${skip}`);

const CUT_S = Number(Deno.env.get("HDP_LAB_CUT_S") || 300);
if (!(CUT_S > 0)) throw new Error("HDP_LAB_CUT_S must be a number of seconds > 0");
const STUN = ["198.51.100.10:3478", "198.51.100.20:3478"];
const UDP_PORT = 40000;
const BIG_BYTES = 200 * 1024 * 1024;
const RESUME_LIMIT_MS = 20_000;

Deno.test({
  name: `a download cut off for ${CUT_S} s resumes within 20 s of the link returning`,
  ignore: skip !== undefined,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "hdp-outage-" });
    const running: NsDaemon[] = [];
    try {
      await using lab = new Lab("rc");
      await lab.run("up");
      const [a] = await lab.run("peer", "a", "none");
      const [b] = await lab.run("peer", "b", "none");
      const nsA = a!.ns!, nsB = b!.ns!, ipA = a!.public!;
      const share = join(root, "a", "share");
      await Deno.mkdir(share, { recursive: true });
      const bigSha = await writeRandom(join(share, "big.bin"), BIG_BYTES);
      await inNs(
        nsA,
        "tc",
        "qdisc",
        "add",
        "dev",
        "hdp-eth0",
        "root",
        "tbf",
        "rate",
        "40mbit",
        "burst",
        "64kb",
        "latency",
        "100ms",
      );
      const start = async (ns: string, name: string) => {
        const daemon = await startDaemonInNs(ns, {
          storage: join(root, name, "storage"),
          downloadDir: join(root, name, "downloads"),
          shareDir: name === "a" ? share : await emptyDir(join(root, name, "share")),
          port: UDP_PORT,
          stunServers: STUN,
        });
        running.push(daemon);
        return daemon;
      };
      const daemonA = await start(nsA, "a");
      const daemonB = await start(nsB, "b");
      const infoA = await daemonA.json<NodeInfo>("info");
      await daemonB.json("connect", infoA.announceAddress);
      // A's share is for friends (the default): A accepts B's friend request, as its owner would
      const infoB = await daemonB.json<NodeInfo>("info");
      await eventually(() => daemonA.json("peers", "accept", infoB.name), LAB_WAIT_MS, {
        what: "A to accept B",
        everyMs: 250,
      });
      const item = await eventually(
        () => daemonB.json<DownloadItem>("download", `${infoA.name}/share/big.bin`),
        LAB_WAIT_MS,
        { what: "the file to be queued", everyMs: 250 },
      );
      const progress = async () => {
        const { downloads } = await daemonB.json<{ downloads: DownloadItem[] }>("transfers");
        return downloads.find((d) => d.id === item.id)!;
      };
      await eventually(
        async () => (await progress()).bytesDone > 10 * 2 ** 20 || undefined,
        LAB_WAIT_MS,
        { what: "10 MiB to arrive", everyMs: 250 },
      );

      await inNs(nsB, "nft", "-f", "-", cutRules(ipA));
      const cutAt = await progress();
      console.log(`cut at ${mib(cutAt.bytesDone)} for ${CUT_S} s`);
      await new Promise((resolve) => setTimeout(resolve, CUT_S * 1000)); // the outage itself
      const before = await progress();
      assert.notEqual(before.state, "done", "the download ended during the cut");
      await inNs(nsB, "nft", "delete", "table", "inet", "hdp_cut");
      const restoredAt = Date.now();

      // B is another process, in another namespace: no event of it can be awaited, so its API is
      // polled (through its CLI) until the bytes grow again.
      await eventually(
        async () => (await progress()).bytesDone > before.bytesDone || undefined,
        RESUME_LIMIT_MS + 10_000,
        { what: "the download to resume", everyMs: 250 },
      );
      const resumeMs = Date.now() - restoredAt;
      console.log(
        `resumed ${(resumeMs / 1000).toFixed(1)} s after the link returned (${before.state} at ${
          mib(before.bytesDone)
        } before)`,
      );
      const failures = daemonB.output().split("\n").filter((l) =>
        l.includes("cannot reach a peer")
      );
      console.log(`B logged ${failures.length} failed dials:\n${failures.join("\n")}`);
      assert.ok(resumeMs <= RESUME_LIMIT_MS, `resumed after ${resumeMs} ms`);

      const done = await eventually(
        async () => {
          const now = await progress();
          assert.notEqual(now.state, "failed", now.reason ?? "");
          return now.state === "done" ? now : undefined;
        },
        180_000,
        { what: "the download to be done", everyMs: 250 },
      );
      assert.equal(done.bytesDone, BIG_BYTES);
      const saved = join(root, "b", "downloads", infoA.name, "share", "big.bin");
      assert.equal(await fileSha256(saved), bigSha);
    } catch (error) {
      for (const daemon of running) console.log(`--- ${daemon.ns}\n${daemon.output()}`);
      throw error;
    } finally {
      await Promise.all(running.map((daemon) => daemon.kill()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

/** Drops every UDP packet to and from `ip`, both ways, in the namespace it is loaded into. */
function cutRules(ip: string): string {
  return `table inet hdp_cut {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr ${ip} meta l4proto udp drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    ip daddr ${ip} meta l4proto udp drop
  }
}
`;
}

async function inNs(ns: string, ...args: string[]): Promise<void> {
  const stdin = args.at(-1)?.includes("\n") ? args.pop() : undefined;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${args.join(" ")} in ${ns} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function emptyDir(path: string): Promise<string> {
  await Deno.mkdir(path, { recursive: true });
  return path;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
