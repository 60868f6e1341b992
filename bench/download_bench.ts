/**
 * The download benchmark: a node in another process serves a 1 GiB file and a folder of 10,000
 * files of 10 KiB; this process downloads them (sha256 and a whole-tree checksum verified). In the
 * same run: the raw Deno QUIC stream ceiling, and a daemon killed with -9 mid-file and restarted
 * (time to the first new byte, bytes fetched twice).
 *
 *   deno run -A bench/download_bench.ts [--dir /tmp/hdp-bench-files]
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setLogLevel } from "../src/log.ts";
import { type HdpNode, startNode } from "../src/node/node.ts";
import { startDaemon } from "../tests/helpers/daemon.ts";
import { loopbackConfig } from "../tests/helpers/nodes.ts";
import { benchFile, cpuSeconds, fixed, peakRssMiB, spawnHelper, treeHash } from "./_util.ts";
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

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { dir: { type: "string", default: "/tmp/hdp-bench-files" } },
  });
  setLogLevel("warn");
  const share = join(values.dir, "dlshare");
  await Deno.mkdir(share, { recursive: true });
  await benchFile(join(share, "1g.bin"), GIB);
  await smallFolder(join(share, "small"));
  const fileHash = await sha256(join(share, "1g.bin"));
  const folderHash = await treeHash(join(share, "small"));

  const work = await Deno.makeTempDir({ prefix: "hdp-dlbench-" });
  const serverPort = 40000 + Math.floor(Math.random() * 20000);
  const server = spawnHelper("./_serve_node.ts", [share, join(work, "server"), String(serverPort)]);
  const raw = spawnHelper("./_raw_quic.ts", []);
  const { announce, name } = JSON.parse((await server.lines.next()).value);
  const rawInfo = JSON.parse((await raw.lines.next()).value);
  await Deno.mkdir(join(work, "client"), { recursive: true });
  await Deno.mkdir(join(work, "client-dl"), { recursive: true });
  const client = await startNode(loopbackConfig(join(work, "client"), join(work, "client-dl")), {
    hostname: "127.0.0.1",
    watch: false,
  });
  await client.connect(announce);

  const ceiling = await rawQuic(rawInfo.port, rawInfo.key, GIB);
  await sleep(2000);

  let serverBefore = await line(server, "stats") as { cpu: number };
  let cpu0 = cpuSeconds();
  const fileSeconds = await downloadTimed(client, name, "bench/1g.bin");
  const fileCpu = cpuSeconds() - cpu0;
  let serverAfter = await line(server, "stats") as { cpu: number; rss: number };
  const fileOk = await sha256(join(work, "client-dl", name, "bench", "1g.bin")) === fileHash;
  const fileServerCpu = serverAfter.cpu - serverBefore.cpu;
  await sleep(2000);

  serverBefore = serverAfter;
  cpu0 = cpuSeconds();
  const folderSeconds = await downloadTimed(client, name, "bench/small");
  const folderCpu = cpuSeconds() - cpu0;
  serverAfter = await line(server, "stats") as { cpu: number; rss: number };
  const folderOk = await treeHash(join(work, "client-dl", name, "bench", "small")) === folderHash;
  const clientRss = peakRssMiB();
  await client.close();

  // kill -9 mid-file: a real daemon downloads, dies, and starts again
  const dirs = { storage: join(work, "victim"), downloadDir: join(work, "victim-dl") };
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

  console.log(`download benchmark (server and client on loopback, separate processes)`);
  console.log(`raw QUIC stream, 1 GiB:          ${fixed(ceiling.mbps, 0)} MB/s`);
  console.log(
    `1 GiB file:                      ${fixed(GIB / MB / fileSeconds, 0)} MB/s (${
      fixed((100 * GIB / MB / fileSeconds) / ceiling.mbps, 0)
    }% of raw), sha256 ${fileOk ? "ok" : "MISMATCH"}, CPU client ${fixed(fileCpu, 1)} s / server ${
      fixed(fileServerCpu, 1)
    } s`,
  );
  console.log(
    `10,000 files of 10 KiB:          ${fixed(SMALL_FILES / folderSeconds, 0)} files/s (${
      fixed(folderSeconds, 2)
    } s), tree checksum ${folderOk ? "ok" : "MISMATCH"}, CPU client ${
      fixed(folderCpu, 1)
    } s / server ${fixed(serverAfter.cpu - serverBefore.cpu, 1)} s`,
  );
  console.log(
    `peak RSS:                        client ${fixed(clientRss, 0)} MiB, server ${
      fixed(serverAfter.rss, 0)
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
}
