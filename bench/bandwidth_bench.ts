/**
 * The bandwidth benchmark, with real daemons as separate processes on loopback (as users run
 * them): a sharer with an upload limit and downloaders that fetch a 256 MiB file from it.
 *
 *   deno run -A bench/bandwidth_bench.ts [--limit 20MB/s] [--mib 256]
 *
 * It prints, against the targets of the bandwidth issue:
 * 1. one download under the limit: its rate over the whole transfer, and the worst 2 s window
 *    after the first second (the downloader's progress sampled every 100 ms);
 * 2. two downloaders at once: each one's rate while both run;
 * 3. the limit raised mid-transfer (to twice the limit): how long until a 500 ms window runs
 *    above the old limit by 25%;
 * 4. a listing of a 10,000-entry folder (every page) while a download saturates the limit;
 * 5. with no limit: the download's rate, for the before/after comparison.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseRate } from "../src/wire/mod.ts";
import { type Daemon, startDaemon, tempDir } from "../tests/helpers/daemon.ts";
import { benchFile, fixed, percentile } from "./_util.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    limit: { type: "string", default: "20MB/s" },
    mib: { type: "string", default: "256" },
  },
});
const LIMIT = parseRate(args.values.limit!);
const BYTES = Number(args.values.mib) * 1024 * 1024;
const MB = 1e6;

interface Sample {
  at: number;
  bytes: number;
}

/** Samples a download's progress on `daemon` every 100 ms until it is done. */
async function follow(daemon: Daemon, id: string, onSample?: (s: Sample) => void) {
  const samples: Sample[] = [];
  for (;;) {
    const item = (await daemon.client.downloads()).find((d) => d.id === id)!;
    const sample = { at: performance.now(), bytes: item.bytesDone };
    samples.push(sample);
    onSample?.(sample);
    if (item.state === "done") return samples;
    if (item.state === "failed" || item.state === "paused") throw new Error(`it ${item.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bytes a second between the samples nearest `from` and `to` (ms). */
function rateBetween(samples: Sample[], from: number, to: number): number {
  const a = samples.find((s) => s.at >= from)!;
  const b = [...samples].reverse().find((s) => s.at <= to)!;
  return ((b.bytes - a.bytes) / (b.at - a.at)) * 1000;
}

/** Bytes a second from the first byte to the end. */
function wholeRate(samples: Sample[]): number {
  const first = samples.find((s) => s.bytes > 0)!;
  const last = samples.at(-1)!;
  return ((last.bytes - first.bytes) / (last.at - first.at)) * 1000;
}

/** Rates of every `windowMs` window (stepping 100 ms) from the first byte + `skipMs` on. */
function windows(samples: Sample[], windowMs: number, skipMs: number): number[] {
  const start = samples.find((s) => s.bytes > 0)!.at + skipMs;
  const end = samples.at(-1)!.at;
  const out: number[] = [];
  for (let t = start; t + windowMs <= end; t += 100) {
    out.push(rateBetween(samples, t, t + windowMs));
  }
  return out;
}

async function settle(): Promise<void> {
  await new Deno.Command("sync").output();
  await new Promise((r) => setTimeout(r, 2000));
}

await using tmp = await tempDir();
const share = join(tmp.path, "share");
await Deno.mkdir(share);
await benchFile(join(share, "big.bin"), BYTES);
const folder = join(share, "many");
await Deno.mkdir(folder, { recursive: true });
for (let i = 0; i < 10_000; i++) await Deno.writeTextFile(join(folder, `entry-${i}.txt`), "x");

let n = 0;
const downloader = () =>
  startDaemon({ storage: join(tmp.path, `d${++n}`), downloadDir: join(tmp.path, `d${n}-dl`) });
const sharer = await startDaemon({
  storage: join(tmp.path, "sharer"),
  downloadDir: join(tmp.path, "sharer-dl"),
  shareDirs: [share],
  extraArgs: ["--max-upload", String(LIMIT)],
});
const info = await sharer.client.info();
await new Promise((r) => setTimeout(r, 500));
for (;;) {
  if ((await sharer.client.shares()).every((s) => !s.scanning)) break;
  await new Promise((r) => setTimeout(r, 100));
}
const fetchOnce = async (daemon: Daemon) => {
  await daemon.client.connect(info.announceAddress);
  return await daemon.client.download(info.name, "share/big.bin");
};
const report: string[] = [];
const target = (what: string, value: string, goal: string) =>
  report.push(`${what.padEnd(58)} ${value.padStart(16)}   target ${goal}`);

// 1. one download under the limit
{
  await settle();
  await using d = await downloader();
  const item = await fetchOnce(d);
  const samples = await follow(d, item.id);
  const whole = wholeRate(samples);
  const w = windows(samples, 2000, 1000);
  const worst = Math.max(...w.map((r) => Math.abs(r - LIMIT) / LIMIT));
  target("1. one download, whole transfer (MB/s)", fixed(whole / MB, 2), `${LIMIT / MB} ± 5%`);
  target("   worst 2 s window after the first second (off by)", `${fixed(worst * 100)}%`, "≤ 10%");
  target(
    "   2 s windows p5 / p50 / p95 (MB/s)",
    `${fixed(percentile(w, 5) / MB)} / ${fixed(percentile(w, 50) / MB)} / ${
      fixed(percentile(w, 95) / MB)
    }`,
    "",
  );
}

// 2. two downloaders at once
{
  await settle();
  await using d1 = await downloader();
  await using d2 = await downloader();
  const [i1, i2] = await Promise.all([fetchOnce(d1), fetchOnce(d2)]);
  const [s1, s2] = await Promise.all([follow(d1, i1.id), follow(d2, i2.id)]);
  // while both run: from the later first byte to the earlier finish
  const from = Math.max(s1.find((s) => s.bytes > 0)!.at, s2.find((s) => s.bytes > 0)!.at) + 1000;
  const to = Math.min(s1.at(-1)!.at, s2.at(-1)!.at) - 500;
  const [r1, r2] = [rateBetween(s1, from, to), rateBetween(s2, from, to)];
  target(
    "2. two downloaders at once, each (MB/s)",
    `${fixed(r1 / MB, 2)} / ${fixed(r2 / MB, 2)}`,
    `${LIMIT / 2 / MB} ± 1.5`,
  );
}

// 3. the limit raised mid-transfer
{
  await settle();
  await using d = await downloader();
  const item = await fetchOnce(d);
  let raisedAt = 0;
  let seenAt = 0;
  const samples: Sample[] = [];
  const following = follow(d, item.id, (s) => {
    samples.push(s);
    if (raisedAt && !seenAt) {
      const recent = samples.filter((x) => x.at >= s.at - 500);
      if (recent.length > 1 && recent[0]!.at >= raisedAt) {
        const rate = rateBetween(samples, recent[0]!.at, s.at);
        if (rate > LIMIT * 1.25) seenAt = recent[0]!.at;
      }
    }
  });
  await new Promise((r) => setTimeout(r, 3000));
  raisedAt = performance.now();
  await sharer.client.setBandwidth({ upload: LIMIT * 2 });
  await following;
  await sharer.client.setBandwidth({ upload: LIMIT });
  target(
    "3. limit doubled mid-transfer: faster after (ms)",
    seenAt ? String(Math.round(seenAt - raisedAt)) : "never",
    "≤ 1000",
  );
}

// 4. a 10,000-entry listing while a download saturates the limit, and idle for comparison
{
  await settle();
  await using d = await downloader();
  await using lister = await downloader();
  await lister.client.connect(info.announceAddress);
  const list = async () => {
    const began = performance.now();
    let cursor: string | undefined;
    let entries = 0;
    let first = 0;
    do {
      const page = await lister.client.peerLs(info.name, {
        path: "share/many",
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      if (!first) first = performance.now() - began;
      entries += page.entries.length;
      cursor = page.cursor;
    } while (cursor);
    if (entries !== 10_000) throw new Error(`listed ${entries}`);
    return { first, all: performance.now() - began };
  };
  const rounds = async () => {
    const out = [];
    for (let round = 0; round < 5; round++) out.push(await list());
    return out;
  };
  const show = (label: string, times: Array<{ first: number; all: number }>) => {
    const p50 = (xs: number[]) => Math.round(percentile(xs, 50));
    target(
      `4. ${label}: first page / all 10,000 (ms, p50)`,
      `${p50(times.map((t) => t.first))} / ${p50(times.map((t) => t.all))}`,
      "≤ 200",
    );
  };
  show("idle", await rounds());
  const item = await fetchOnce(d);
  await new Promise((r) => setTimeout(r, 2000)); // the download is at the limit by now
  show("under a saturating download", await rounds());
  const status = (await d.client.downloads()).find((x) => x.id === item.id)!;
  target("   the download meanwhile (MB/s)", fixed(status.speed / MB, 2), `≈ ${LIMIT / MB}`);
}

// 5. no limit
{
  await sharer.client.setBandwidth({ upload: 0 });
  await settle();
  await using d = await downloader();
  const item = await fetchOnce(d);
  const samples = await follow(d, item.id);
  const whole = wholeRate(samples);
  target("5. no limit: one download (MB/s)", fixed(whole / MB), "no slower than before");
}

await sharer[Symbol.asyncDispose]();
console.log(report.join("\n"));
