/**
 * Soak: minutes of connection churn from throwaway identities against a daemon (a separate
 * process, as users run it), printing its RSS and open file descriptors every so often; first the
 * same churn against a bare Deno QUIC server (the anchor: what the runtime's QUIC costs alone).
 *
 *   deno run -A bench/churn_soak.ts [--minutes 10] [--anchor-minutes 3] [--parallel 4]
 *     [--hold-ms 0] [--every-s 30]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Churn } from "../tests/helpers/churn.ts";
import { startDaemon, tempDir } from "../tests/helpers/daemon.ts";
import { fixed, memoryMiB, spawnHelper } from "./_util.ts";

const args = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    "anchor-minutes": { type: "string", default: "3" },
    parallel: { type: "string", default: "4" },
    "hold-ms": { type: "string", default: "0" },
    "every-s": { type: "string", default: "30" },
  },
}).values;
const parallel = Number(args.parallel);
const holdMs = Number(args["hold-ms"]);
const everyMs = Number(args["every-s"]) * 1000;

/** RSS (MiB) and open file descriptors of a process. */
async function sample(pid: number): Promise<{ rss: number; fds: number }> {
  let fds = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) fds++;
  return { rss: memoryMiB(pid).rss, fds };
}

/** Churns against `target` for `minutes`, printing a line every `everyMs`; returns the samples. */
async function soak(
  label: string,
  pid: number,
  target: ConstructorParameters<typeof Churn>[0],
  minutes: number,
): Promise<Array<{ at: number; connections: number; rss: number; fds: number }>> {
  const churn = new Churn(target);
  const samples: Array<{ at: number; connections: number; rss: number; fds: number }> = [];
  const began = performance.now();
  const end = began + minutes * 60_000;
  let stop = false;
  const running = (async () => {
    while (!stop) await churn.run(parallel * 25, { parallel, holdMs });
  })();
  const first = await sample(pid);
  console.log(`${label}: start rss ${fixed(first.rss)} MiB, ${first.fds} fds`);
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, end - performance.now())));
    const now = await sample(pid);
    const at = (performance.now() - began) / 1000;
    samples.push({ at, connections: churn.done, ...now });
    console.log(
      `${label}: ${fixed(at, 0)} s, ${churn.done} connections (${churn.failed} failed): ` +
        `rss ${fixed(now.rss)} MiB, ${now.fds} fds`,
    );
  }
  stop = true;
  await running;
  await new Promise((resolve) => setTimeout(resolve, 30_000)); // idle: the collector settles
  const idle = await sample(pid);
  console.log(`${label}: 30 s idle after: rss ${fixed(idle.rss)} MiB, ${idle.fds} fds`);
  churn.close();
  return samples;
}

function summary(label: string, samples: Array<{ connections: number; rss: number; fds: number }>) {
  const last = samples.at(-1)!;
  const mid = samples[Math.floor(samples.length / 2)]!;
  const perConn = (last.rss - mid.rss) * 1024 / Math.max(1, last.connections - mid.connections);
  return `${label}: ${last.connections} connections, rss ${fixed(mid.rss)} → ${fixed(last.rss)} ` +
    `MiB over the second half (${
      fixed(perConn, 2)
    } KiB per connection), fds ${mid.fds} → ${last.fds}`;
}

// the anchor: the raw QUIC server of the transfer benchmarks
const bare = spawnHelper("./_raw_quic.ts", []);
const anchor = JSON.parse((await bare.lines.next()).value) as { port: number; key: string };
const anchorSamples = await soak("bare QUIC", bare.process.pid, {
  port: anchor.port,
  publicKey: anchor.key,
  kind: "bare",
}, Number(args["anchor-minutes"]));
bare.process.kill("SIGKILL");
await bare.process.stdin.close().catch(() => {});
await bare.process.status;

// the daemon
await using dir = await tempDir("hdp-soak-");
await using daemon = await startDaemon({
  storage: join(dir.path, "storage"),
  downloadDir: join(dir.path, "downloads"),
  env: { HDP_LOG: "warn" },
});
const info = await daemon.client.info();
const daemonSamples = await soak(
  "daemon",
  daemon.process.pid,
  { port: info.port, publicKey: info.publicKey },
  Number(args.minutes),
);
const peers = await daemon.client.peers();
console.log(`\n${summary("bare QUIC", anchorSamples)}`);
console.log(summary("daemon", daemonSamples));
console.log(`daemon: ${peers.length} peers remembered after the churn (bound 256)`);
