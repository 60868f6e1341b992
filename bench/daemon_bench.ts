/**
 * The daemon benchmark: two daemons as users run them, beside scp, rsync, raw QUIC and cp -a.
 *
 * The anchors run in the same run, one after the other, on the same loopback and disk, so every
 * figure is a ratio within one run.
 *
 * Each daemon is its own process started with the flags of `deno task start` (the sandboxed
 * engine worker, its permissions narrowed). A shares a 1 GiB file, a folder of 10,000 files of
 * 10 KiB (100 dirs) and a media-like folder of 200 files of 4 MiB (10 dirs); B is new for every
 * run, connects, and asks for the download through the HTTP API, polled every 20 ms. Before every
 * timed run, of every tool, the benchmark calls `sync` and waits 3 s, so each writes into cold
 * memory (this VM hands freed memory back to its host). Every result is checked (sha256, a
 * whole-tree checksum). CPU seconds of both ends come from /proc (the daemons) or from GNU time
 * (scp, rsync and a fresh `sshd -D` per run on loopback); peak RSS from VmHWM after `clear_refs`.
 * Last, B is killed with -9 at 40% of the big file and started again: how soon the first new
 * byte lands, how much was fetched twice, and that the file is whole.
 *
 *   deno run -A bench/daemon_bench.ts [--rounds 3] [--dir /tmp/hdp-daemon-bench]
 *     [--only big,small,mid,resume]
 *     [--json FILE]
 *
 * Run it as root (for the throwaway sshd); without `sshd`, `scp` or `rsync` those anchors are
 * skipped with the reason. The tree of 10,000 files is moved aside after each run and deleted at
 * the end: this machine's ext4 creates files slowly for minutes after mass deletes (cp -a,
 * measured next to each run, shows the disk's own rate).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ApiClient } from "../src/api/mod.ts";
import { type Daemon, startDaemon } from "../tests/helpers/daemon.ts";
import {
  benchFile,
  cpuTimes,
  fileSha256,
  fixed,
  memoryMiB,
  spawnHelper,
  treeHash,
} from "./_util.ts";
import { rawQuic } from "./transfer_bench.ts";

const MIB = 1024 * 1024;
const MB = 1e6;
const SETTLE_MS = 3000;

/** A workload: what A shares and what B (or an anchor) copies. */
interface Workload {
  name: "big" | "small" | "mid";
  /** The path under the bench's share dir. */
  rel: string;
  bytes: number;
  files: number;
  /** sha256 of the file, or of the tree (paths and contents). */
  digest: string;
}

/** One timed run of one tool on one workload. */
interface Run {
  tool: string;
  workload: Workload["name"];
  seconds: number;
  ok: boolean;
  cpuSend: number;
  cpuRecv: number;
  /** The system part of the CPU seconds. */
  sysSend: number;
  sysRecv: number;
  rssSend: number;
  rssRecv: number;
  /** UDP datagrams the kernel dropped for a full receive buffer meanwhile (all sockets). */
  udpDrops?: number;
}

/** The figures of a run that a tool does not give (cp -a is one process; raw QUIC no disk). */
const NOT_MEASURED = {
  cpuSend: NaN,
  cpuRecv: NaN,
  sysSend: NaN,
  sysRecv: NaN,
  rssSend: NaN,
  rssRecv: NaN,
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(): Promise<void> {
  await new Deno.Command("sync").output();
  await sleep(SETTLE_MS);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Makes (once) a tree of `files` random files of `kib` KiB in `dirs` directories. */
async function randomTree(dir: string, files: number, dirs: number, kib: number): Promise<void> {
  const done = `${dir}.made`; // beside the tree, not in it
  if (await exists(done)) return;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const data = new Uint8Array(kib * 1024);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `dir-${String(i % dirs).padStart(3, "0")}`);
    if (i < dirs) await Deno.mkdir(sub, { recursive: true });
    for (let at = 0; at < data.length; at += 65536) {
      crypto.getRandomValues(data.subarray(at, at + 65536));
    }
    await Deno.writeFile(join(sub, `file-${String(i).padStart(5, "0")}.bin`), data);
  }
  await Deno.writeTextFile(done, "");
}

/** What this machine is missing for the ssh anchors, or null. */
async function sshMissing(): Promise<string | null> {
  for (const tool of ["/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/time"]) {
    if (!(await exists(tool))) return `${tool} is not installed`;
  }
  for (const tool of ["scp", "rsync"]) {
    const found = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
    if (!found.success) return `${tool} is not installed`;
  }
  if (Deno.uid() !== 0) return "the throwaway sshd needs root";
  return null;
}

/** A throwaway sshd on loopback (a fresh `sshd -D` per run, so its CPU covers the session). */
class Ssh {
  readonly port = 12000 + Math.floor(Math.random() * 2000);
  readonly options: string[];
  constructor(readonly dir: string) {
    this.options = [
      "-F",
      "/dev/null",
      "-i",
      join(dir, "client"),
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${join(dir, "known_hosts")}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
    ];
  }

  async setUp(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    await Deno.mkdir(this.dir, { recursive: true });
    for (const name of ["host", "client"]) {
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(this.dir, name)]);
    }
    const hostKey = (await Deno.readTextFile(join(this.dir, "host.pub"))).trim();
    await Deno.writeTextFile(
      join(this.dir, "known_hosts"),
      `[127.0.0.1]:${this.port} ${hostKey.split(" ").slice(0, 2).join(" ")}\n`,
    );
    await Deno.copyFile(join(this.dir, "client.pub"), join(this.dir, "authorized_keys"));
    await Deno.writeTextFile(
      join(this.dir, "sshd_config"),
      [
        `Port ${this.port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(this.dir, "host")}`,
        "PidFile none",
        `AuthorizedKeysFile ${join(this.dir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        "",
      ].join("\n"),
    );
    await Deno.mkdir("/run/sshd", { recursive: true });
  }

  /** Runs `argv` (scp or rsync) against a fresh sshd; both ends' CPU and peak RSS. */
  async timed(argv: string[]): Promise<Omit<Run, "tool" | "workload" | "ok">> {
    const serverTimes = join(this.dir, "sshd.time");
    const server = new Deno.Command("/usr/bin/time", {
      args: [
        "-f",
        "%U %S %M",
        "-o",
        serverTimes,
        "/usr/sbin/sshd",
        "-D",
        "-f",
        join(this.dir, "sshd_config"),
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await this.#listening();
    const clientTimes = join(this.dir, "client.time");
    const start = performance.now();
    await run("/usr/bin/time", ["-f", "%U %S %M", "-o", clientTimes, ...argv]);
    const seconds = (performance.now() - start) / 1000;
    // the sshd of this run (the time wrapper's child), stopped once its session is over, so that
    // the wrapper reports it
    const children = await Deno.readTextFile(`/proc/${server.pid}/task/${server.pid}/children`);
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      Deno.kill(Number(pid), "SIGTERM");
    }
    await server.status;
    const send = await gnuTime(clientTimes);
    const recv = await gnuTime(serverTimes);
    return {
      seconds,
      cpuSend: send.cpu,
      cpuRecv: recv.cpu,
      sysSend: send.sys,
      sysRecv: recv.sys,
      rssSend: send.rss,
      rssRecv: recv.rss,
    };
  }

  async #listening(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: this.port })).close();
        return;
      } catch {
        await sleep(10);
      }
    }
    throw new Error("the throwaway sshd did not start listening");
  }
}

async function gnuTime(path: string): Promise<{ cpu: number; sys: number; rss: number }> {
  const last = (await Deno.readTextFile(path)).trim().split("\n").at(-1)!.split(" ").map(Number);
  return { cpu: last[0]! + last[1]!, sys: last[1]!, rss: last[2]! / 1024 };
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * UDP datagrams dropped so far for a full socket receive buffer (`RcvbufErrors`), machine-wide.
 * Deno's QUIC socket keeps the system's default buffer (net.core.rmem_default): each drop is a
 * loss to recover from, which slows the sender down.
 */
function udpDrops(): number {
  const lines = Deno.readTextFileSync("/proc/net/snmp").split("\n").filter((l) =>
    l.startsWith("Udp:")
  );
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf("RcvbufErrors")]);
}

function resetPeak(pid: number): void {
  Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** The bench's folders: the share, the runs' destinations, and the trash deleted at the end. */
class Places {
  #n = 0;
  constructor(readonly root: string) {}
  get share(): string {
    return join(this.root, "share");
  }
  get trash(): string {
    return join(this.root, "trash");
  }
  /** A fresh destination for one run. */
  async fresh(tool: string): Promise<string> {
    const path = join(this.root, "runs", `${tool}-${this.#n++}`);
    await Deno.mkdir(path, { recursive: true });
    return path;
  }
  /**
   * Deletes a finished run now (its memory goes back to the host before the next run, which a
   * page cache filled with earlier copies would slow down), except the tree of 10,000 files: it is
   * moved aside, since deleting thousands of files now would slow the next runs' file creation.
   */
  async discard(path: string, workload: Workload): Promise<void> {
    if (workload.name !== "small") return await Deno.remove(path, { recursive: true });
    await Deno.mkdir(this.trash, { recursive: true });
    await Deno.rename(path, join(this.trash, `${crypto.randomUUID()}`));
  }
}

async function verify(workload: Workload, path: string): Promise<boolean> {
  const digest = workload.name === "big" ? await fileSha256(path) : await treeHash(path);
  return digest === workload.digest;
}

/** The project: B, new for the run, downloads the workload from A through the API. */
async function hdpRun(
  a: Daemon,
  places: Places,
  workload: Workload,
): Promise<Run> {
  const home = await places.fresh("hdp");
  await using b = await startDaemon({
    storage: join(home, "store"),
    downloadDir: join(home, "dl"),
  });
  const infoA = await a.client.info();
  await b.client.connect(infoA.announceAddress);
  const peer = infoA.publicKey;
  await connected(b.client, peer);
  await settle();
  const pids = [a.process.pid, b.process.pid] as const;
  pids.forEach(resetPeak);
  const cpu0 = pids.map((pid) => cpuTimes(pid));
  const start = performance.now();
  const item = await b.client.download(peer, `share/${workload.rel}`);
  const localPath = await finished(b.client, item.id);
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = pids.map((pid) => cpuTimes(pid));
  const [rssSend, rssRecv] = pids.map((pid) => memoryMiB(pid).peak) as [number, number];
  const errors = b.output().split("\n").filter((l) => / ERROR /.test(l));
  if (errors.length) console.error(`B logged errors:\n${errors.slice(0, 5).join("\n")}`);
  const warnings = b.output().split("\n").filter((l) => / WARN /.test(l));
  if (warnings.length) console.error(`B warned:\n${warnings.slice(0, 5).join("\n")}`);
  const ok = await verify(workload, join(home, "dl", localPath)) && errors.length === 0;
  await b.kill("SIGTERM");
  await places.discard(home, workload);
  return {
    tool: "hdp",
    workload: workload.name,
    seconds,
    ok,
    cpuSend: cpu1[0]!.cpu - cpu0[0]!.cpu,
    cpuRecv: cpu1[1]!.cpu - cpu0[1]!.cpu,
    sysSend: cpu1[0]!.sys - cpu0[0]!.sys,
    sysRecv: cpu1[1]!.sys - cpu0[1]!.sys,
    rssSend,
    rssRecv,
  };
}

/** What a daemon killed with -9 mid-file does once started again. */
interface Resume {
  killedAt: number;
  readySeconds: number;
  firstByteSeconds: number;
  /** Bytes A sent beyond the file's size, by its own count of uploaded bytes. */
  fetchedTwice: number;
  ok: boolean;
}

/** B downloads the big file, is killed with -9 at 40%, and starts again on the same storage. */
async function resumeRun(a: Daemon, places: Places, workload: Workload): Promise<Resume> {
  const home = await places.fresh("resume");
  const dirs = { storage: join(home, "store"), downloadDir: join(home, "dl") };
  const infoA = await a.client.info();
  let b = await startDaemon(dirs);
  try {
    await b.client.connect(infoA.announceAddress);
    await connected(b.client, infoA.publicKey);
    await settle();
    const sentBefore = (await a.client.bandwidth()).totals.upload;
    const item = await b.client.download(infoA.publicKey, `share/${workload.rel}`);
    const part = join(dirs.downloadDir, infoA.name, "share", `${workload.rel}.part`);
    const size = () => Deno.stat(part).then((s) => s.size, () => 0);
    while ((await size()) < workload.bytes * 0.4) await sleep(2);
    await b.kill("SIGKILL");
    const killedAt = await size();
    const restart = performance.now();
    b = await startDaemon(dirs);
    const ready = performance.now();
    while ((await size()) <= killedAt && performance.now() - restart < 60_000) await sleep(1);
    const firstByte = performance.now();
    const localPath = await finished(b.client, item.id);
    return {
      killedAt: killedAt / workload.bytes,
      readySeconds: (ready - restart) / 1000,
      firstByteSeconds: (firstByte - restart) / 1000,
      fetchedTwice: (await a.client.bandwidth()).totals.upload - sentBefore - workload.bytes,
      ok: await verify(workload, join(dirs.downloadDir, localPath)),
    };
  } finally {
    await b.kill("SIGTERM");
    await places.discard(home, workload);
  }
}

/** Waits until `client`'s daemon is connected to the peer `key`. */
async function connected(client: ApiClient, key: string): Promise<void> {
  await until(
    client,
    async (c) => (await c.peers()).some((p) => p.keyHex === key && p.status === "connected"),
  );
}

/**
 * Polls the download `id` every 20 ms (as a user's script would) until it is done; its local
 * path. Throws when it fails or pauses.
 */
async function finished(client: ApiClient, id: string): Promise<string> {
  for (;;) {
    const now = (await client.downloads()).find((d) => d.id === id);
    if (now?.state === "done") return now.localPath ?? "";
    if (now?.state === "failed" || now?.state === "paused") {
      throw new Error(`download ${now.path}: ${now.state} ${now.reason}`);
    }
    await sleep(20);
  }
}

async function until(client: ApiClient, check: (c: ApiClient) => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check(client)) return;
    await sleep(50);
  }
  throw new Error("timed out waiting for the daemons");
}

/** scp (the big file) or rsync -a --whole-file (the trees) over ssh to a fresh sshd. */
async function sshRun(
  ssh: Ssh,
  places: Places,
  workload: Workload,
  tool: "scp" | "rsync",
): Promise<Run> {
  const dest = await places.fresh(tool);
  const source = join(places.share, workload.rel);
  const argv = tool === "scp"
    ? ["scp", ...ssh.options, "-P", `${ssh.port}`, source, `root@127.0.0.1:${dest}/`]
    : [
      "rsync",
      "-a",
      "--whole-file",
      "-e",
      `ssh ${ssh.options.join(" ")} -p ${ssh.port}`,
      `${source}/`,
      `root@127.0.0.1:${dest}/`,
    ];
  await settle();
  const timed = await ssh.timed(argv);
  const ok = await verify(workload, tool === "scp" ? join(dest, workload.rel) : dest);
  await places.discard(dest, workload);
  return { tool, workload: workload.name, ok, ...timed };
}

/** cp -a of a tree: the disk's own rate, right now. */
async function cpRun(places: Places, workload: Workload): Promise<Run> {
  const dest = await places.fresh("cp");
  await settle();
  const start = performance.now();
  await run("cp", ["-a", `${join(places.share, workload.rel)}/.`, `${dest}/`]);
  const seconds = (performance.now() - start) / 1000;
  const ok = await verify(workload, dest);
  await places.discard(dest, workload);
  return {
    tool: "cp -a",
    workload: workload.name,
    seconds,
    ok,
    ...NOT_MEASURED,
  };
}

/** Raw Deno QUIC between two processes: the helper sends from memory, this process reads. */
async function rawRun(
  helper: ReturnType<typeof spawnHelper>,
  info: { port: number; key: string },
  workload: Workload,
): Promise<Run> {
  await settle();
  const server0 = await stats(helper);
  const start = performance.now();
  const { cpu } = await rawQuic(info.port, info.key, workload.bytes);
  const seconds = (performance.now() - start) / 1000;
  const server1 = await stats(helper);
  return {
    tool: "raw QUIC",
    workload: workload.name,
    seconds,
    ok: true,
    ...NOT_MEASURED,
    cpuSend: server1.cpu - server0.cpu,
    cpuRecv: cpu,
  };
}

async function stats(
  helper: ReturnType<typeof spawnHelper>,
): Promise<{ cpu: number; rss: number }> {
  const writer = helper.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode("stats\n"));
  writer.releaseLock();
  return JSON.parse((await helper.lines.next()).value);
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rate of a run in its workload's unit: MB/s, or files/s for the many small files. */
function rate(run: Run, workload: Workload): number {
  return workload.name === "small"
    ? workload.files / run.seconds
    : workload.bytes / MB / run.seconds;
}

function summarize(runs: Run[], workloads: Workload[]): string {
  const lines: string[] = [];
  const of = (tool: string, w: Workload) =>
    runs.filter((r) => r.tool === tool && r.workload === w.name);
  const cell = (tool: string, w: Workload) => {
    const these = of(tool, w);
    if (these.length === 0) return { text: "—", median: NaN };
    const rates = these.map((r) => rate(r, w));
    const m = median(rates);
    const bad = these.some((r) => !r.ok) ? " (CHECKSUM FAILED)" : "";
    return {
      text: `${fixed(m, 0)} (${fixed(Math.min(...rates), 0)}–${
        fixed(Math.max(...rates), 0)
      })${bad}`,
      median: m,
    };
  };
  const targets: Record<Workload["name"], Array<[string, number]>> = {
    big: [["scp", 1.5], ["raw QUIC", 0.85]],
    small: [["rsync", 1.2]],
    mid: [["rsync", 1.3]],
  };
  lines.push(
    "| workload | unit | hdp | scp | rsync over ssh | raw QUIC | cp -a | ratios (target) |",
  );
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const w of workloads) {
    const hdp = cell("hdp", w);
    const ratios = targets[w.name].map(([tool, target]) => {
      const r = hdp.median / cell(tool, w).median;
      return `${fixed(r, 2)}× ${tool} (≥ ${target}×)${
        Number.isFinite(r) && r < target ? " MISSED" : ""
      }`;
    });
    lines.push(
      `| ${w.name} | ${w.name === "small" ? "files/s" : "MB/s"} | ${hdp.text} | ${
        cell("scp", w).text
      } | ${cell("rsync", w).text} | ${cell("raw QUIC", w).text} | ${cell("cp -a", w).text} | ${
        ratios.join("; ")
      } |`,
    );
  }
  lines.push("");
  lines.push("| workload | tool | CPU s send + recv (median) | peak RSS send / recv MiB (max) |");
  lines.push("| --- | --- | --- | --- |");
  for (const w of workloads) {
    for (const tool of ["hdp", "scp", "rsync", "raw QUIC"]) {
      const these = of(tool, w);
      if (these.length === 0) continue;
      const send = median(these.map((r) => r.cpuSend));
      const recv = median(these.map((r) => r.cpuRecv));
      const rss = (f: (r: Run) => number) => fixed(Math.max(...these.map(f)), 0);
      const over = tool === "hdp" && these.some((r) => r.rssSend > 100 || r.rssRecv > 100)
        ? " (target ≤ 100 MISSED)"
        : tool === "hdp"
        ? " (target ≤ 100)"
        : "";
      lines.push(
        `| ${w.name} | ${tool} | ${fixed(send, 2)} + ${fixed(recv, 2)} = ${
          fixed(send + recv, 2)
        } | ${rss((r) => r.rssSend)} / ${rss((r) => r.rssRecv)}${over} |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      dir: { type: "string", default: "/tmp/hdp-daemon-bench" },
      rounds: { type: "string", default: "3" },
      only: { type: "string", default: "big,small,mid,resume" },
      json: { type: "string" },
    },
  });
  const rounds = Math.max(1, Number(values.rounds) || 1);
  const only = new Set(values.only.split(","));
  const places = new Places(values.dir);
  await Deno.remove(join(values.dir, "runs"), { recursive: true }).catch(() => {});
  await Deno.mkdir(places.share, { recursive: true });
  console.log("making the data (once; reused later)…");
  await benchFile(join(places.share, "big.bin"), 1024 * MIB);
  await randomTree(join(places.share, "small"), 10_000, 100, 10);
  await randomTree(join(places.share, "mid"), 200, 10, 4096);
  const workloads: Workload[] = [];
  for (
    const [name, rel, bytes, files] of [
      ["big", "big.bin", 1024 * MIB, 1],
      ["small", "small", 10_000 * 10 * 1024, 10_000],
      ["mid", "mid", 200 * 4096 * 1024, 200],
    ] as const
  ) {
    if (!only.has(name) && !(name === "big" && only.has("resume"))) continue;
    const path = join(places.share, rel);
    const digest = name === "big" ? await fileSha256(path) : await treeHash(path);
    workloads.push({ name, rel, bytes, files, digest });
  }
  const rmem = Deno.readTextFileSync("/proc/sys/net/core/rmem_default").trim();
  console.log(`net.core.rmem_default = ${rmem} (the UDP receive buffer of Deno's QUIC sockets)`);
  const missing = await sshMissing();
  if (missing) console.log(`scp and rsync skipped: ${missing}`);
  const ssh = missing ? null : new Ssh(join(values.dir, "ssh"));
  await ssh?.setUp();
  const raw = spawnHelper("./_raw_quic.ts", []);
  const rawInfo = JSON.parse((await raw.lines.next()).value) as { port: number; key: string };
  await using a = await startDaemon({
    storage: join(values.dir, "a-store"),
    downloadDir: join(values.dir, "a-dl"),
    shareDirs: [places.share],
  });
  await until(
    a.client,
    async (c) => (await c.shares()).some((s) => s.files !== undefined && !s.scanning),
  );
  const runs: Run[] = [];
  const note = (r: Run, dropsBefore: number) => {
    r.udpDrops = udpDrops() - dropsBefore;
    runs.push(r);
    const w = workloads.find((x) => x.name === r.workload)!;
    console.log(
      `${r.workload.padEnd(5)} ${r.tool.padEnd(8)} ${fixed(rate(r, w), 0).padStart(6)} ${
        w.name === "small" ? "files/s" : "MB/s"
      }  ${fixed(r.seconds, 2)} s  cpu ${fixed(r.cpuSend, 2)}+${fixed(r.cpuRecv, 2)} (sys ${
        fixed(r.sysSend, 2)
      }+${fixed(r.sysRecv, 2)})  rss ${fixed(r.rssSend, 0)}/${
        fixed(r.rssRecv, 0)
      } MiB  udp drops ${r.udpDrops}${r.ok ? "" : "  CHECK FAILED"}`,
    );
  };
  let resume = "";
  try {
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round} of ${rounds}`);
      for (const w of workloads.filter((w) => only.has(w.name))) {
        let drops = udpDrops();
        if (w.name === "big") note(await rawRun(raw, rawInfo, w), drops);
        else note(await cpRun(places, w), drops);
        drops = udpDrops();
        if (ssh) note(await sshRun(ssh, places, w, w.name === "big" ? "scp" : "rsync"), drops);
        drops = udpDrops();
        note(await hdpRun(a, places, w), drops);
      }
    }
    const big = workloads.find((w) => w.name === "big");
    if (big && only.has("resume")) {
      const r = await resumeRun(a, places, big);
      resume = `after kill -9 at ${fixed(100 * r.killedAt, 0)}%: the daemon is back in ${
        fixed(r.readySeconds, 2)
      } s, the first new byte ${fixed(r.firstByteSeconds, 2)} s after the restart (target ≤ 2 s); ${
        fixed(r.fetchedTwice / MIB, 2)
      } MiB fetched twice (target ≤ 1 MiB); sha256 ${r.ok ? "ok" : "MISMATCH"}`;
    }
  } finally {
    await raw.process.stdin.getWriter().write(new TextEncoder().encode("quit\n")).catch(() => {});
    console.log("deleting the finished runs…");
    await Deno.remove(places.trash, { recursive: true }).catch(() => {});
  }
  const aTrouble = a.output().split("\n").filter((l) => / (ERROR|WARN) /.test(l));
  if (aTrouble.length) console.error(`A logged:\n${aTrouble.slice(0, 10).join("\n")}`);
  console.log(`\n${summarize(runs, workloads.filter((w) => only.has(w.name)))}`);
  if (resume) console.log(`\nresume of the 1 GiB file ${resume}`);
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(runs, null, 2));
}
