/**
 * The relay's cost: CPU per relayed GiB of each daemon, and the relayed speed against a direct one, in the NAT lab.
 *
 * A and C behind symmetric NATs (no direct path), R public and connected to both, each a daemon as
 * users run it in its own network namespace (tests/lab/). A downloads `--mib` (default 256) MiB of
 * C through R, then the same file from R directly; sha256 checked. Printed: MB/s of both, and the
 * CPU seconds per GiB of A, R and C (from /proc), so the relay's own cost and the end-to-end
 * session's at each end are apart. Runs as root where the lab can (`deno task bench relay`).
 * `--relay-rate` is R's (default unlimited: the figures are the relay's, not its owner's cap).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { DownloadItem, NodeInfo } from "../src/api/mod.ts";
import { type NsDaemon, startDaemonInNs } from "../tests/lab/_daemon_in_ns.ts";
import { Lab, labSkipReason } from "../tests/lab/_lab.ts";
import { benchFile, cpuSeconds, fileSha256, fixed } from "./_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "256" },
    "relay-rate": { type: "string", default: "unlimited" },
  },
});
const BYTES = Number(values.mib) * 2 ** 20;
const STUN = ["198.51.100.10:3478", "198.51.100.20:3478"];

const skip = await labSkipReason();
if (skip) {
  console.log(`relay_bench: cannot run here: ${skip}`);
  Deno.exit(0);
}

const root = await Deno.makeTempDir({ prefix: "hdp-relay-bench-" });
const running: NsDaemon[] = [];
try {
  const shareC = join(root, "c", "share");
  const shareR = join(root, "r", "share");
  const empty = join(root, "e", "share");
  for (const dir of [shareC, shareR, empty]) await Deno.mkdir(dir, { recursive: true });
  await benchFile(join(shareC, "big.bin"), BYTES);
  await Deno.link(join(shareC, "big.bin"), join(shareR, "big.bin"));
  const sha = await fileSha256(join(shareC, "big.bin"));

  await using lab = new Lab("b");
  await lab.run("up");
  const ns = new Map<string, string>();
  for (const [name, type] of [["sa", "symmetric"], ["sc", "symmetric"], ["r", "none"]]) {
    const [peer] = await lab.run("peer", name!, type!);
    ns.set(name!, peer!.ns!);
  }
  const start = async (peer: string, shareDir: string, extraArgs: string[] = []) => {
    const daemon = await startDaemonInNs(ns.get(peer)!, {
      storage: join(root, peer, "storage"),
      downloadDir: join(root, peer, "downloads"),
      shareDir,
      port: 40000,
      stunServers: STUN,
      portMapping: false,
      extraArgs,
    });
    running.push(daemon);
    return daemon;
  };
  const [a, c, r] = await Promise.all([
    start("sa", empty),
    start("sc", shareC),
    start("r", shareR, ["--relay-rate", values["relay-rate"]]),
  ]);
  const [infoC, infoR] = await Promise.all([c.json<NodeInfo>("info"), r.json<NodeInfo>("info")]);
  for (const end of [a, c]) await end.json("connect", infoR.announceAddress);
  await a.json("connect", infoC.announceAddress); // through R: no direct path

  const before = [a, r, c].map((d) => cpuSeconds(d.pid));
  const relayed = await download(a, infoC.name, "share/big.bin");
  const after = [a, r, c].map((d) => cpuSeconds(d.pid));
  const directBefore = [a, r].map((d) => cpuSeconds(d.pid));
  const direct = await download(a, infoR.name, "share/big.bin");
  const directAfter = [a, r].map((d) => cpuSeconds(d.pid));
  const shas = await Promise.all([
    fileSha256(join(root, "sa", "downloads", infoC.name, "share", "big.bin")),
    fileSha256(join(root, "sa", "downloads", infoR.name, "share", "big.bin")),
  ]);
  if (shas.some((s) => s !== sha)) throw new Error(`sha256 differs: ${shas.join(" / ")}`);
  const gib = BYTES / 2 ** 30;
  const perGiB = after.map((t, i) => fixed((t - before[i]!) / gib));
  const directPerGiB = directAfter.map((t, i) => fixed((t - directBefore[i]!) / gib));
  const mbps = (ms: number) => fixed(BYTES / 1e6 / (ms / 1000));
  console.log(`
## Relay (bench/relay_bench.ts, ${new Date().toISOString().slice(0, 10)}, ${values.mib} MiB)

| measure | result |
| --- | --- |
| A downloads from C through R | ${mbps(relayed.ms)} MB/s |
| A downloads the same file from R directly | ${mbps(direct.ms)} MB/s (relayed: ${
    fixed((direct.ms / relayed.ms) * 100, 0)
  }%) |
| CPU s per relayed GiB: A (receives, opens the session) / R (relays) / C (serves, seals) | ${
    perGiB.join(" / ")
  } |
| CPU s per GiB of the direct download: A (receives) / R (serves) | ${directPerGiB.join(" / ")} |
`);
} finally {
  await Promise.all(running.map((d) => d.kill()));
  await Deno.remove(root, { recursive: true }).catch(() => {});
}

async function download(daemon: NsDaemon, peer: string, path: string) {
  const began = Date.now();
  const queued = await daemon.json<DownloadItem>("download", `${peer}/${path}`);
  for (;;) {
    const { downloads } = await daemon.json<{ downloads: DownloadItem[] }>("transfers", "--once");
    const item = downloads.find((d) => d.id === queued.id)!;
    if (item.state === "failed") throw new Error(`the download failed: ${item.reason}`);
    if (item.state === "done") return { item, ms: Date.now() - began };
    await new Promise((resolve) => setTimeout(resolve, 500)); // a CLI run costs CPU too
  }
}
