/**
 * Fifty peers: daemons as users run them, each in its own namespace on the lab's internet (public
 * addresses, no NAT). All join through gossip from one seed's address (each pastes it, the seed
 * befriends each, which introduces them to one another); a search from one reaches the other 49
 * and streams their answers; killing ten at once leaves the rest connected, the ten marked gone.
 * Prints the figures (join time, RSS and idle CPU per daemon, connections, search time) and
 * writes them to /tmp/hdp-mesh-lab.md. `HDP_MESH_PEERS` sets another number of peers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { cpuSeconds, memoryMiB } from "../../bench/_util.ts";
import { type NsDaemon, startDaemonInNs } from "./_daemon_in_ns.ts";
import { Lab, labSkipReason } from "./_lab.ts";

const skip = await labSkipReason();
if (skip) console.log(`Skipping the mesh lab: ${skip}`);

const PEERS = Number(Deno.env.get("HDP_MESH_PEERS") || 50);
const KILLED = Math.min(10, Math.floor(PEERS / 5));
const STUN = ["198.51.100.10:3478", "198.51.100.20:3478"];
const UDP_PORT = 40000;
const JOIN_LIMIT_MS = 240_000;
const GONE_LIMIT_MS = 90_000;
const IDLE_WINDOW_MS = 20_000;
const REPORT = "/tmp/hdp-mesh-lab.md";
const PROBE = fromFileUrl(new URL("./mesh_probe.ts", import.meta.url));

Deno.test({
  name: `${PEERS} peers join through gossip from one seed, search each other, and outlive ten gone`,
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "hdp-mesh-lab-" });
    const running: NsDaemon[] = [];
    const lines: string[] = [];
    const say = (line: string) => {
      lines.push(line);
      console.log(line);
    };
    // The kernel keeps one ARP table for every namespace (1,024 entries by default): a full mesh
    // of fifty hosts on one segment needs 2,500, and past the limit new neighbours fail (sends
    // get ENOBUFS), which real hosts, each with its own kernel, never see. Raised for the run.
    const thresholds = await raiseNeighbourLimits(PEERS * PEERS * 2);
    try {
      await using lab = new Lab("m");
      await lab.run("up");
      const names = Array.from({ length: PEERS }, (_, i) => `m${i}`);
      const peers = [];
      for (const name of names) peers.push((await lab.run("peer", name, "none"))[0]!);

      // each shares one file named after it, so a search for "meshfile" finds one per peer
      const startedAt = Date.now();
      for (let i = 0; i < PEERS; i += 5) { // five at a time: 2 cores compile and index
        running.push(
          ...await Promise.all(
            peers.slice(i, i + 5).map(async (peer, k) => {
              const dir = join(root, names[i + k]!);
              const share = join(dir, "share");
              await Deno.mkdir(share, { recursive: true });
              await Deno.writeTextFile(join(share, `meshfile-${names[i + k]}.txt`), names[i + k]!);
              return await startDaemonInNs(peer.ns!, {
                storage: join(dir, "storage"),
                downloadDir: join(dir, "downloads"),
                shareDir: share,
                port: UDP_PORT,
                stunServers: STUN,
                portMapping: false,
                apiBeyondLoopback: true,
              });
            }),
          ),
        );
      }
      say(`${PEERS} daemons up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      const nodesFile = join(root, "nodes.json");
      await Deno.writeTextFile(
        nodesFile,
        JSON.stringify(peers.map((peer, i) => ({
          url: `http://${peer.public}:3030`,
          token: running[i]!.token,
        }))),
      );
      const inet = `hdp${lab.id}-inet`;
      const probe = (args: string[], timeoutMs: number) =>
        lab.deno(inet, PROBE, [nodesFile, ...args], timeoutMs);

      // 1. everyone joins from the seed's address alone
      const joined = await probe(["join", String(JOIN_LIMIT_MS)], JOIN_LIMIT_MS + 30_000) as {
        ok: boolean;
        ms: number;
        fullAt: number[];
        connected: number[];
      };
      const median = joined.fullAt[Math.floor(joined.fullAt.length / 2)];
      say(
        `join: ${joined.ok ? "every peer sees the other " + (PEERS - 1) : "NOT all connected"}` +
          ` after ${(joined.ms / 1000).toFixed(1)} s (half of them by ${
            ((median ?? NaN) / 1000).toFixed(1)
          } s); connections per peer ${Math.min(...joined.connected)}–${
            Math.max(...joined.connected)
          }`,
      );

      if (!joined.ok) {
        // why: the first lines of the least connected peer's log about reaching others
        const least = joined.connected.indexOf(Math.min(...joined.connected));
        const why = running[least]!.output().split("\n")
          .filter((l) => /cannot reach|relay|WARN|ERROR/.test(l)).slice(0, 12);
        say(`m${least} (least connected) logged:\n    ${why.join("\n    ")}`);
      }

      // 2. idle: memory and CPU of each daemon over a quiet window
      const before = running.map((d) => cpuSeconds(d.pid));
      await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
      const idle = running.map((d, i) =>
        (cpuSeconds(d.pid) - before[i]!) / (IDLE_WINDOW_MS / 1000)
      );
      const rss = running.map((d) => memoryMiB(d.pid).rss);
      const peak = running.map((d) => memoryMiB(d.pid).peak);
      say(
        `idle CPU per daemon: median ${pct(middle(idle))}, most ${
          pct(Math.max(...idle))
        } of a core;` +
          ` RSS median ${middle(rss).toFixed(0)} MiB, most ${Math.max(...rss).toFixed(0)} MiB` +
          ` (peak ${Math.max(...peak).toFixed(0)} MiB)`,
      );

      // 3. one search across every peer
      const search = await probe(["search", "meshfile"], 30_000) as {
        ms: number;
        results: Array<{ peer: string; files: number; error?: string; ms: number }>;
      };
      const found = search.results.filter((r) => r.files === 1).length;
      const failed = search.results.filter((r) => r.error);
      say(
        `search from m0: ${found} of ${PEERS - 1} peers answered with their file in ` +
          `${search.ms} ms (first after ${search.results[0]?.ms ?? "-"} ms)` +
          (failed.length
            ? `; errors: ${failed.map((r) => `${r.peer}: ${r.error}`).join("; ")}`
            : ""),
      );

      // 4. ten go at once: the rest stay connected and see them gone
      await Promise.all(running.slice(PEERS - KILLED).map((d) => d.kill()));
      const gone = await probe(
        ["gone", String(GONE_LIMIT_MS), String(KILLED)],
        GONE_LIMIT_MS + 30_000,
      ) as {
        ok: boolean;
        ms: number;
        down: number;
        states: Array<{ connected: number; goneSeen: number }>;
      };
      say(
        `${KILLED} killed: ${gone.ok ? "every other peer" : "NOT every peer"} sees them gone and ` +
          `${PEERS - KILLED - 1} still connected after ${(gone.ms / 1000).toFixed(1)} s`,
      );

      await Deno.writeTextFile(
        REPORT,
        `# Mesh lab (${PEERS} peers)\n\n${lines.map((l) => `- ${l}`).join("\n")}\n`,
      );
      assert.ok(joined.ok, `not every peer joined: ${joined.connected.join(",")}`);
      assert.equal(found, PEERS - 1, JSON.stringify(search.results));
      assert.ok(gone.ok, JSON.stringify(gone.states));
      for (const [i, d] of running.slice(0, PEERS - KILLED).entries()) {
        assert.doesNotMatch(d.output(), /\bERROR\b/, `m${i} logged an error:\n${d.output()}`);
      }
    } finally {
      await Promise.all(running.map((d) => d.kill()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
      await restoreNeighbourLimits(thresholds);
    }
  },
});

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

const GC_THRESH = [1, 2, 3].map((n) => `/proc/sys/net/ipv4/neigh/default/gc_thresh${n}`);

/** Raises the kernel's neighbour table limits to at least `entries`; the old values. */
async function raiseNeighbourLimits(entries: number): Promise<string[]> {
  const old = await Promise.all(GC_THRESH.map((f) => Deno.readTextFile(f)));
  const wanted = [entries / 4, entries / 2, entries];
  await Promise.all(
    GC_THRESH.map((f, i) =>
      Number(old[i]) >= wanted[i]! ? undefined : Deno.writeTextFile(f, String(wanted[i]))
    ),
  );
  return old;
}

async function restoreNeighbourLimits(old: string[]): Promise<void> {
  await Promise.all(GC_THRESH.map((f, i) => Deno.writeTextFile(f, old[i]!.trim())));
}
