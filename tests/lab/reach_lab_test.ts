/**
 * The NAT lab's reach scenarios: the paths that need no third party beyond the hole punch.
 * Real daemons in the lab's namespaces, real miniupnpd (PCP, NAT-PMP, UPnP-IGD) on a router,
 * IPv6 behind stateful firewalls, a carrier's NAT in front of a home router:
 *
 * - a node behind a symmetric NAT whose router maps its port is reached by a peer behind another
 *   symmetric NAT, which dials the `mapped` candidate alone; the mapping is renewed (a 30 s lease)
 *   and deleted by a clean stop;
 * - two nodes behind symmetric IPv4 NATs with global IPv6 behind firewalls that drop unsolicited
 *   inbound connect over IPv6 by dialling at once; so does one behind a carrier's NAT with IPv6;
 * - behind a carrier's NAT without IPv6 the home router's mapping reaches nobody: not announced,
 *   and two such peers are told at once that they need a relay;
 * - a node with one place to be reached at still gives a version 1 address, which connects;
 * - asking a gateway that never answers does not delay the start.
 *
 * Prints a Markdown table (and writes it to /tmp/hdp-reach-lab.md). Skipped, saying why, where
 * the lab or miniupnpd cannot run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { NodeInfo } from "../../src/api/mod.ts";
import { type NsDaemon, pathTo, startDaemonInNs } from "./_daemon_in_ns.ts";
import { Lab, type LabRow, labSkipReason, namespacesLeft, writeLabReport } from "./_lab.ts";
import { until } from "../helpers/daemon.ts";

async function skipReason(): Promise<string | undefined> {
  const lab = await labSkipReason();
  if (lab) return lab;
  for (const tool of ["miniupnpd", "upnpc"]) {
    const found = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
    if (!found.success) return `${tool} is not installed (Debian miniupnpd-nftables, miniupnpc)`;
  }
  return undefined;
}

const skip = await skipReason();
if (skip) console.log(`reach_lab_test: skipped: ${skip}`);

const STUN = [
  "198.51.100.10:3478",
  "198.51.100.20:3478",
  "[2001:db8::10]:3478",
  "[2001:db8::20]:3478",
];
const UDP_PORT = 40000;
const LEASE_SECONDS = 30;
const CONNECT_WINDOW_MS = 12_000;
const REPORT = "/tmp/hdp-reach-lab.md";

/** One row of the printed table. */

Deno.test({
  name:
    "Peers reach each other through a router's port mapping, over IPv6 behind firewalls and from behind a carrier's NAT; " +
    "what cannot work is refused at once",
  ignore: skip !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "hdp-reach-lab-" });
    const shareDir = join(root, "share");
    await Deno.mkdir(shareDir);
    const payload = new Uint8Array(1 << 20);
    for (let at = 0; at < payload.length; at += 65536) {
      crypto.getRandomValues(payload.subarray(at, at + 65536));
    }
    await Deno.writeFile(join(shareDir, "song.bin"), payload);
    const rows: LabRow[] = [];
    const running = new Set<NsDaemon>();
    let labId = "";
    try {
      await using lab = new Lab("r");
      labId = lab.id;
      const ns = new Map<string, string>();
      await lab.run("up");
      const peers: [string, ...string[]][] = [
        ["um", "symmetric", "--upnp", "--lease", String(LEASE_SECONDS)],
        ["s2", "symmetric"],
        ["s3", "symmetric"],
        ["v6a", "symmetric", "--v6"],
        ["v6b", "symmetric", "--v6"],
        ["cg6", "restricted", "--cgnat", "--v6"],
        ["cgu", "restricted", "--cgnat", "--upnp"],
        ["n1", "none"],
      ];
      for (const [name, ...args] of peers) {
        const [peer] = await lab.run("peer", name, ...args);
        ns.set(name, peer!.ns!);
      }
      let count = 0;
      const start = async (peer: string, options: { portMapping?: boolean } = {}) => {
        const dir = join(root, `${peer}-${++count}`);
        const daemon = await startDaemonInNs(ns.get(peer)!, {
          storage: join(dir, "storage"),
          downloadDir: join(dir, "downloads"),
          shareDir,
          port: UDP_PORT,
          stunServers: STUN,
          ...options,
        });
        running.add(daemon);
        return daemon;
      };
      const done = async (...daemons: NsDaemon[]) => {
        await Promise.all(daemons.map((d) => d.kill()));
        for (const d of daemons) running.delete(d);
        await lab.run("flush");
      };
      const row = (r: LabRow) => {
        rows.push(r);
        console.log(`${r.scenario}: ${r.ok ? "ok" : "FAILED"} — ${r.result}`);
      };

      // 1. a mapped port: the symmetric side behind miniupnpd is dialled by the other alone
      {
        const [mapped, dialler] = await Promise.all([start("um"), start("s2")]);
        const status = await until(
          () => mapped.json<NodeInfo>("info"),
          (info) => info.portMapping.state !== "trying",
          8_000,
        );
        const m = status.portMapping.mapping;
        const info = status;
        const kinds = info.candidates.map((c) => c.kind);
        const dialled = Date.now();
        const connect = await dialler.cli("connect", info.announceAddress, "--json");
        const ms = Date.now() - dialled;
        const path = await pathTo(dialler, info.publicKey);
        const read = connect.code === 0 ? await readBack(dialler, info, payload) : "not connected";
        row({
          scenario: "symmetric + miniupnpd ↔ symmetric",
          expected: "mapped by PCP; the other side alone dials the mapped candidate; 1 MiB read",
          ok: status.portMapping.state === "mapped" && kinds.includes("mapped") &&
            connect.code === 0 && path === "IPv4 mapped" && read === undefined,
          result:
            `${status.portMapping.state} ${
              m ? `${m.externalIp}:${m.externalPort} by ${m.protocol}` : ""
            }` +
            `; candidates ${kinds.join(",")}; connect ${
              connect.code === 0 ? `ok in ${ms} ms` : connect.stderr.trim()
            }` +
            `; path ${path}; read ${read ?? "ok"}`,
        });

        // the lease is 30 s: renewed at half, so its end moves on
        const before = await leaseEnd(lab, "um", m?.externalPort ?? UDP_PORT);
        await new Promise((r) => setTimeout(r, (LEASE_SECONDS / 2 + 5) * 1000));
        const after = await leaseEnd(lab, "um", m?.externalPort ?? UDP_PORT);
        row({
          scenario: `renewal of a ${LEASE_SECONDS} s lease`,
          expected: "the mapping's end moves on before it expires",
          ok: before !== undefined && after !== undefined && after > before,
          result: `ends at ${before} then ${after}`,
        });

        const code = await mapped.stop();
        running.delete(mapped);
        const rules = await lab.run("upnp-rules", "um");
        row({
          scenario: "clean stop",
          expected: "the router's mapping is deleted",
          ok: code === 0 && rules.length === 0,
          result: `exit ${code}; ${rules.length} mapping(s) left`,
        });

        await done(dialler);

        // 2. a gateway that never answers (s2's router has no miniupnpd) costs the start nothing
        const asking = await start("s2");
        const withMs = asking.readyAt - asking.spawnedAt;
        const silent = await until(
          () => asking.json<NodeInfo>("info"),
          (i) => i.portMapping.state !== "trying",
          8_000,
        );
        await done(asking);
        const without = await start("s2", { portMapping: false });
        const withoutMs = without.readyAt - without.spawnedAt;
        await done(without);
        row({
          scenario: "a silent gateway",
          expected: "start not delayed by asking; mapping none",
          ok: silent.portMapping.state === "none" && withMs < withoutMs + 2_000,
          result: `ready in ${withMs} ms asking, ${withoutMs} ms with --no-port-mapping; ` +
            `mapping ${silent.portMapping.state}`,
        });
      }

      // 3. IPv6 behind stateful firewalls, IPv4 symmetric on both sides: both dial at once
      for (
        const [left, right, scenario] of [
          ["v6a", "v6b", "IPv6 behind firewalls, IPv4 symmetric both"],
          ["cg6", "v6b", "carrier NAT + IPv6 ↔ IPv6 behind a firewall"],
        ] as const
      ) {
        const [a, b] = await Promise.all([start(left), start(right)]);
        const outcome = await bothDial(a, b);
        const read = outcome.connected
          ? await readBack(a, outcome.infoB, payload)
          : "not connected";
        // STUN over IPv6 sees each one's own address: no NAT66, the candidates are right
        const seen = [outcome.infoA, outcome.infoB].map((info) =>
          info.ipv6Seen !== undefined &&
          info.candidates.some((c) => c.kind === "ipv6" && c.ip === info.ipv6Seen)
        );
        row({
          scenario,
          expected: "IPv6 seen by STUN as announced; both dial → connected over IPv6; 1 MiB read",
          ok: outcome.connected && outcome.paths.every((p) => p.startsWith("IPv6")) &&
            read === undefined && seen.every(Boolean),
          result: `${outcome.text}; IPv6 seen by STUN ${
            [outcome.infoA, outcome.infoB].map((i) => i.ipv6Seen ?? "-").join(" / ")
          }; read ${read ?? "ok"}`,
        });
        await done(a, b);
      }

      // 4. a carrier's NAT without IPv6: the home mapping reaches nobody; two such need a relay
      {
        const [a, b] = await Promise.all([start("cgu"), start("s3")]);
        // both know their NAT (a STUN exchange lost under load leaves it unknown until the
        // re-check): the refusal this row is about needs it
        const info = await until(
          () => a.json<NodeInfo>("info"),
          (i) => i.portMapping.state !== "trying" && i.natType !== "unknown",
          8_000,
        );
        const infoB = await until(
          () => b.json<NodeInfo>("info"),
          (i) => i.natType !== "unknown",
          8_000,
        );
        const issued = Date.now();
        const results = await Promise.all([
          a.cli("connect", infoB.announceAddress, "--json"),
          b.cli("connect", info.announceAddress, "--json"),
        ]);
        const ms = Date.now() - issued;
        const refused = results.every((r) => r.code === 1 && r.stderr.includes("Needs relay"));
        const state = info.portMapping.state;
        row({
          scenario: "carrier NAT, no IPv6, miniupnpd at home ↔ symmetric",
          expected:
            'no usable mapping (none or unusable), not announced; both refused "Needs relay" < 3 s',
          ok: (state === "none" || state === "unusable") &&
            !info.candidates.some((c) => c.kind === "mapped") && refused && ms < 3_000,
          result: `NAT ${info.natType}, mapping ${state}${
            info.portMapping.why ? ` (${info.portMapping.why})` : ""
          }; ${refused ? "refused" : results.map((r) => r.stderr.trim()).join(" / ")} in ${ms} ms`,
        });
        await done(a, b);
      }

      // 5. one place to be reached at: a version 1 address, which still connects
      {
        const [a, b] = await Promise.all([start("n1"), start("s3")]);
        const info = await a.json<NodeInfo>("info");
        const connect = await b.cli("connect", info.announceAddress, "--json");
        const path = await pathTo(b, info.publicKey);
        row({
          scenario: "a version 1 address",
          expected: "hdp1…; the other side alone connects to it",
          ok: info.announceAddress.startsWith("hdp1") && connect.code === 0,
          result: `${info.announceAddress.slice(0, 5)}…; connect ${
            connect.code === 0 ? "ok" : connect.stderr.trim()
          }; path ${path}`,
        });
        await done(a, b);
      }
    } finally {
      await Promise.all([...running].map((d) => d.kill()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
    await writeLabReport("NAT lab: reach", rows, REPORT);
    assert.equal(await namespacesLeft(labId), "", "namespaces left");
    assert.equal(rows.length, 8);
    for (const r of rows) assert.ok(r.ok, `${r.scenario}: ${r.result}`);
  },
});

/** Both run `connect` with the other's address at once; connected when both see the other. */
async function bothDial(a: NsDaemon, b: NsDaemon): Promise<{
  connected: boolean;
  paths: string[];
  infoA: NodeInfo;
  infoB: NodeInfo;
  text: string;
}> {
  const [infoA, infoB] = await Promise.all([a.json<NodeInfo>("info"), b.json<NodeInfo>("info")]);
  const issued = Date.now();
  const calls = Promise.all([
    a.cli("connect", infoB.announceAddress, "--json"),
    b.cli("connect", infoA.announceAddress, "--json"),
  ]);
  let paths: string[] = [];
  while (Date.now() - issued < CONNECT_WINDOW_MS) {
    paths = await Promise.all([pathTo(a, infoB.publicKey), pathTo(b, infoA.publicKey)]);
    if (paths.every((p) => p.startsWith("IPv"))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = Date.now() - issued;
  const results = await calls;
  const connected = paths.every((p) => p.startsWith("IPv"));
  const kinds = (info: NodeInfo) => info.candidates.map((c) => c.kind).join(",");
  return {
    connected,
    paths,
    infoA,
    infoB,
    text: `NAT ${infoA.natType}/${infoB.natType}, candidates ${kinds(infoA)} / ${kinds(infoB)}; ` +
      (connected
        ? `connected in ${ms} ms, paths ${paths.join(" / ")}`
        : `not connected: ${results.map((r) => r.stderr.trim() || `exit ${r.code}`).join(" / ")}`),
  };
}

/** Reads the peer's share/song.bin through the CLI and compares it; what went wrong, if anything. */
async function readBack(
  daemon: NsDaemon,
  peer: NodeInfo,
  payload: Uint8Array,
): Promise<string | undefined> {
  const out = await Deno.makeTempFile({ prefix: "hdp-reach-read-" });
  try {
    const read = await daemon.readToFile(`${peer.publicKey.slice(0, 16)}/share/song.bin`, out);
    if (read.code !== 0) return read.stderr.trim().split("\n")[0];
    const got = await Deno.readFile(out);
    return got.length === payload.length && got.every((b, i) => b === payload[i])
      ? undefined
      : `got ${got.length} other bytes`;
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

/** The end (unix seconds) of miniupnpd's mapping of UDP `port` for `peer`, from its lease file. */
async function leaseEnd(lab: Lab, peer: string, port: number): Promise<number | undefined> {
  const rules = await lab.run("upnp-rules", peer);
  const rule = rules.find((r) => r.proto === "udp" && r.ext === String(port));
  const end = Number(rule?.expires);
  return Number.isFinite(end) ? end : undefined;
}
