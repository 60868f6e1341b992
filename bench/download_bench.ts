/**
 * The download benchmark: a node in another process serves a 1 GiB file and a folder of 10,000
 * files of 10 KiB; this process downloads them (sha256 and a whole-tree checksum verified). In the
 * same run: the raw Deno QUIC stream ceiling, and a daemon killed with -9 mid-file and restarted
 * (time to the first new byte, bytes fetched twice).
 *
 *   deno run -A bench/download_bench.ts [--rounds 3] [--dir /tmp/hdp-bench-files] [--work DIR]
 *
 * `--work` is where the clients download to (default: the system's temp dir). The disk's own
 * rate for the small files is measured there too, since it bounds the download's.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setLogLevel } from "../src/log.ts";
import { type HdpNode, startNode } from "../src/node/mod.ts";
import { startDaemon } from "../tests/helpers/daemon.ts";
import { loopbackConfig } from "../tests/helpers/nodes.ts";
import {
  benchFile,
  cpuSeconds,
  fileSha256,
  fixed,
  peakRssMiB,
  percentile,
  spawnHelper,
  treeHash,
} from "./_util.ts";
import { rawQuic } from "./transfer_bench.ts";

const GIB = 1024 ** 3;
const MB = 1e6;
const SMALL_FILES = 10_000;

async function smallFolder(dir: string): Promise<void> {
  try {
    if ((await Array.fromAsync(Deno.readDir(join(dir, "d9")))).length === SMALL_FILES / 10) return;
  } catch { /* not made yet */ }
  const chunk = crypto.getRandomValues(new Uint8Array(10 * 1024));
  for (let d = 0; d < 10; d++) {
    await Deno.mkdir(join(dir, `d${d}`), { recursive: true });
    for (let i = 0; i < SMALL_FILES / 10; i++) {
      chunk[0] = i & 255;
      chunk[1] = d;
      await Deno.writeFile(join(dir, `d${d}`, `file-${i}.bin`), chunk);
    }
  }
}

async function line(helper: ReturnType<typeof spawnHelper>, command: string): Promise<unknown> {
  const writer = helper.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode(command + "\n"));
  writer.releaseLock();
  return JSON.parse((await helper.lines.next()).value);
}

async function downloadTimed(client: HdpNode, peer: string, path: string): Promise<number> {
  const start = performance.now();
  const item = await client.download(peer, path);
  for (;;) {
    const now = client.downloads().find((d) => d.id === item.id)!;
    if (now.state === "done") return (performance.now() - start) / 1000;
    if (now.state === "failed" || now.state === "paused") {
      throw new Error(`${path}: ${now.state} ${now.reason}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * How fast this disk takes the small files by itself, in the same place as the download: ext4
 * here creates files slowly in block groups with many recent deletes (a test suite's temp dirs).
 */
function diskCeiling(dir: string): number {
  const data = crypto.getRandomValues(new Uint8Array(10 * 1024));
  for (let d = 0; d < 10; d++) Deno.mkdirSync(join(dir, `d${d}`), { recursive: true });
  const start = performance.now();
  for (let i = 0; i < SMALL_FILES; i++) {
    const path = join(dir, `d${Math.floor(i / (SMALL_FILES / 10))}`, `file-${i}.bin`);
    Deno.writeFileSync(`${path}.part`, data);
    Deno.utimeSync(`${path}.part`, new Date(), new Date(1e12));
    Deno.renameSync(`${path}.part`, path);
  }
  return SMALL_FILES / ((performance.now() - start) / 1000);
}

/** One round's figures. */
interface Round {
  rawMBps: number;
  rawCpu: number;
  rawServerCpu: number;
  fileMBps: number;
  fileOk: boolean;
  fileCpu: number;
  fileServerCpu: number;
  filesPerSecond: number;
  diskFilesPerSecond: number;
  folderOk: boolean;
  folderCpu: number;
  folderServerCpu: number;
  serverRss: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      dir: { type: "string", default: "/tmp/hdp-bench-files" },
      rounds: { type: "string", default: "3" },
      work: { type: "string" },
    },
  });
  const roundCount = Math.max(1, Number(values.rounds) || 1);
  setLogLevel("warn");
  const share = join(values.dir, "dlshare");
  await Deno.mkdir(share, { recursive: true });
  await benchFile(join(share, "1g.bin"), GIB);
  await smallFolder(join(share, "small"));
  const fileHash = await fileSha256(join(share, "1g.bin"));
  const folderHash = await treeHash(join(share, "small"));

  if (values.work) await Deno.mkdir(values.work, { recursive: true });
  const work = await Deno.makeTempDir({
    prefix: "hdp-dlbench-",
    ...(values.work ? { dir: values.work } : {}),
  });
  const serverPort = 40000 + Math.floor(Math.random() * 20000);
  const server = spawnHelper("./_serve_node.ts", [share, join(work, "server"), String(serverPort)]);
  const raw = spawnHelper("./_raw_quic.ts", []);
  const { announce, name } = JSON.parse((await server.lines.next()).value);
  const rawInfo = JSON.parse((await raw.lines.next()).value);

  const scratch = join(work, "scratch.bin");
  await benchFile(scratch, GIB);
  // Rounds interleave the raw ceiling with the download, each round with a fresh client and
  // download dir (deleting big trees between runs would slow ext4 down): medians are reported.
  const rounds: Round[] = [];
  for (let r = 0; r < roundCount; r++) {
    const dir = join(work, `client-${r}`);
    await Deno.mkdir(join(dir, "dl"), { recursive: true });
    const client = await startNode(loopbackConfig(dir, join(dir, "dl")), {
      hostname: "127.0.0.1",
      watch: false,
    });
    await client.connect(announce);
    const rawBefore = await line(raw, "stats") as { cpu: number };
    const ceiling = await rawQuic(rawInfo.port, rawInfo.key, GIB);
    const rawServerCpu = (await line(raw, "stats") as { cpu: number }).cpu - rawBefore.cpu;
    await sleep(1000);

    // This VM hands freed memory back to its host and gets it back slowly: the previous round's
    // copy (a scratch file before the first) is deleted just before the download, so that the
    // download's page cache reuses its pages.
    await Deno.remove(
      r > 0 ? join(work, `client-${r - 1}`, "dl", name, "bench", "1g.bin") : scratch,
    );
    let serverBefore = await line(server, "stats") as { cpu: number };
    let cpu0 = cpuSeconds();
    const fileSeconds = await downloadTimed(client, name, "bench/1g.bin");
    const fileCpu = cpuSeconds() - cpu0;
    let serverAfter = await line(server, "stats") as { cpu: number; rss: number };
    const fileOk = await fileSha256(join(dir, "dl", name, "bench", "1g.bin")) === fileHash;
    const fileServerCpu = serverAfter.cpu - serverBefore.cpu;
    await sleep(1000);

    const diskFilesPerSecond = diskCeiling(join(dir, "disk-ceiling"));
    await sleep(1000);
    serverBefore = serverAfter;
    cpu0 = cpuSeconds();
    const folderSeconds = await downloadTimed(client, name, "bench/small");
    const folderCpu = cpuSeconds() - cpu0;
    serverAfter = await line(server, "stats") as { cpu: number; rss: number };
    const folderOk = await treeHash(join(dir, "dl", name, "bench", "small")) === folderHash;
    await client.close();
    const round: Round = {
      rawMBps: ceiling.mbps,
      rawCpu: ceiling.cpu,
      rawServerCpu,
      fileMBps: GIB / MB / fileSeconds,
      fileOk,
      fileCpu,
      fileServerCpu,
      filesPerSecond: SMALL_FILES / folderSeconds,
      diskFilesPerSecond,
      folderOk,
      folderCpu,
      folderServerCpu: serverAfter.cpu - serverBefore.cpu,
      serverRss: serverAfter.rss,
    };
    rounds.push(round);
    console.log(
      `round ${r + 1}: raw ${fixed(round.rawMBps, 0)} MB/s, 1 GiB file ${
        fixed(round.fileMBps, 0)
      } MB/s (${fixed((100 * round.fileMBps) / round.rawMBps, 0)}%), small files ${
        fixed(round.filesPerSecond, 0)
      } files/s (the disk alone ${fixed(round.diskFilesPerSecond, 0)})`,
    );
    await sleep(1000);
  }
  const clientRss = peakRssMiB();

  // kill -9 mid-file: a real daemon downloads, dies, and starts again
  // A daemon's storage may not be under /dev (Deno's permissions treat /dev apart): the victim
  // lives in the system's temp dir even when --work is a tmpfs there.
  const victimDir = await Deno.makeTempDir({ prefix: "hdp-dlbench-victim-" });
  const dirs = { storage: join(victimDir, "storage"), downloadDir: join(victimDir, "dl") };
  let victim = await startDaemon(dirs);
  await victim.client.connect(announce);
  await victim.client.download(name, "bench/1g.bin");
  const part = join(dirs.downloadDir, name, "bench", "1g.bin.part");
  let lastPushed = 0;
  for (;;) {
    const uploads = await line(server, "uploads") as Array<{ bytesDone: number }>;
    if (uploads[0]) lastPushed = uploads[0].bytesDone;
    if ((await Deno.stat(part).then((s) => s.size, () => 0)) > GIB * 0.4) break;
    await sleep(2);
  }
  await victim.kill("SIGKILL");
  const written = (await Deno.stat(part)).size;
  const restart = performance.now();
  victim = await startDaemon(dirs);
  const ready = performance.now();
  let firstByte = NaN;
  for (let i = 0; i < 10_000; i++) {
    if ((await Deno.stat(part).then((s) => s.size, () => GIB)) > written) {
      firstByte = performance.now();
      break;
    }
    await sleep(1);
  }
  await victim[Symbol.asyncDispose]();

  const med = (pick: (r: Round) => number) => percentile(rounds.map(pick), 50);
  const allFilesOk = rounds.every((r) => r.fileOk);
  const allFoldersOk = rounds.every((r) => r.folderOk);
  console.log(
    `download benchmark (server and client on loopback, separate processes; medians of ${rounds.length} rounds)`,
  );
  console.log(
    `raw QUIC stream, 1 GiB:          ${fixed(med((r) => r.rawMBps), 0)} MB/s, CPU client ${
      fixed(med((r) => r.rawCpu), 1)
    } s / server ${fixed(med((r) => r.rawServerCpu), 1)} s`,
  );
  console.log(
    `1 GiB file:                      ${fixed(med((r) => r.fileMBps), 0)} MB/s (${
      fixed(med((r) => (100 * r.fileMBps) / r.rawMBps), 0)
    }% of raw in the same round), sha256 ${allFilesOk ? "ok" : "MISMATCH"}, CPU client ${
      fixed(med((r) => r.fileCpu), 1)
    } s / server ${fixed(med((r) => r.fileServerCpu), 1)} s`,
  );
  console.log(
    `10,000 files of 10 KiB:          ${fixed(med((r) => r.filesPerSecond), 0)} files/s (${
      fixed(SMALL_FILES / med((r) => r.filesPerSecond), 2)
    } s), tree checksum ${allFoldersOk ? "ok" : "MISMATCH"}, CPU client ${
      fixed(med((r) => r.folderCpu), 1)
    } s / server ${fixed(med((r) => r.folderServerCpu), 1)} s`,
  );
  console.log(
    `the disk alone, same 10,000 files: ${
      fixed(med((r) => r.diskFilesPerSecond), 0)
    } files/s (write .part, set mtime, rename; one thread, no network)`,
  );
  console.log(
    `peak RSS:                        client ${fixed(clientRss, 0)} MiB, server ${
      fixed(Math.max(...rounds.map((r) => r.serverRss)), 0)
    } MiB`,
  );
  console.log(
    `kill -9 at ${fixed((100 * written) / GIB, 0)}%, restart:       daemon ready in ${
      fixed((ready - restart) / 1000, 2)
    } s, first new byte ${fixed((firstByte - restart) / 1000, 2)} s after the restart`,
  );
  console.log(
    `fetched twice (upper bound):     ${
      fixed(Math.max(0, lastPushed - written) / 2 ** 20, 2)
    } MiB (bytes the server had pushed into the stream minus bytes in the .part)`,
  );
  const writer = server.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode("quit\n"));
  await writer.close();
  await server.process.status;
  const rawWriter = raw.process.stdin.getWriter();
  await rawWriter.write(new TextEncoder().encode("quit\n"));
  await rawWriter.close();
  await raw.process.status;
  await Deno.remove(work, { recursive: true });
  await Deno.remove(victimDir, { recursive: true });
}
