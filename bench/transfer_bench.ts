/**
 * The Read benchmark: a node in another process serves 1 GiB and 4 GiB files; this process reads
 * them over real QUIC on loopback, then checks their sha256. In the same run, a raw Deno QUIC
 * stream of the same size gives the ceiling.
 *
 *   deno run -A bench/transfer_bench.ts [--sizes 1,4] [--dir /tmp/hdp-bench-files]
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setLogLevel } from "../src/log.ts";
import { startNode } from "../src/node/mod.ts";
import { fromHex, SERVER_NAME, trustAnchorFor } from "../src/transport/mod.ts";
import { loopbackConfig } from "../tests/helpers/nodes.ts";
import { benchFile, cpuSeconds, fileSha256, fixed, peakRssMiB, spawnHelper } from "./_util.ts";

const GIB = 1024 ** 3;
const MB = 1e6;

interface Stats {
  cpu: number;
  rss: number;
}

async function ask(helper: ReturnType<typeof spawnHelper>, line: string): Promise<Stats> {
  const writer = helper.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode(line + "\n"));
  writer.releaseLock();
  return JSON.parse((await helper.lines.next()).value);
}

async function quit(helper: ReturnType<typeof spawnHelper>): Promise<void> {
  const writer = helper.process.stdin.getWriter();
  await writer.write(new TextEncoder().encode("quit\n")).catch(() => {});
  await writer.close().catch(() => {});
  await helper.process.status;
}

/** Reads `bytes` from the raw QUIC helper and returns MB/s and client CPU seconds. */
export async function rawQuic(
  port: number,
  key: string,
  bytes: number,
): Promise<{ mbps: number; cpu: number }> {
  const conn = await Deno.connectQuic<false>({
    hostname: "127.0.0.1",
    port,
    serverName: SERVER_NAME,
    alpnProtocols: ["bench"],
    caCerts: [await trustAnchorFor(fromHex(key)!)],
  });
  const stream = await conn.createBidirectionalStream();
  const request = new Uint8Array(8);
  new DataView(request.buffer).setBigUint64(0, BigInt(bytes));
  const writer = stream.writable.getWriter();
  await writer.write(request);
  await writer.close();
  const cpu0 = cpuSeconds();
  const start = performance.now();
  const reader = stream.readable.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(256 * 1024);
  let received = 0;
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(buffer));
    if (done) break;
    received += value.length;
    buffer = value.buffer;
  }
  const seconds = (performance.now() - start) / 1000;
  conn.close();
  if (received !== bytes) throw new Error(`raw QUIC: got ${received} of ${bytes}`);
  return { mbps: bytes / MB / seconds, cpu: cpuSeconds() - cpu0 };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "1,4" },
      dir: { type: "string", default: "/tmp/hdp-bench-files" },
    },
  });
  setLogLevel("warn");
  const sizes = values.sizes.split(",").map(Number);
  const share = join(values.dir, "share");
  await Deno.mkdir(share, { recursive: true });
  for (const gib of sizes) await benchFile(join(share, `${gib}g.bin`), gib * GIB);
  const hashes = new Map<number, string>();
  for (const gib of sizes) hashes.set(gib, await fileSha256(join(share, `${gib}g.bin`)));

  const storage = await Deno.makeTempDir({ prefix: "hdp-bench-" });
  await Deno.mkdir(join(storage, "client"), { recursive: true });
  const server = spawnHelper("./_serve_node.ts", [share, join(storage, "server")]);
  const raw = spawnHelper("./_raw_quic.ts", []);
  const { announce, name } = JSON.parse((await server.lines.next()).value);
  const rawInfo = JSON.parse((await raw.lines.next()).value);
  const client = await startNode(
    loopbackConfig(join(storage, "client"), join(storage, "client-dl")),
    { hostname: "127.0.0.1", watch: false },
  );
  await client.connect(announce);

  console.log(
    "size | raw QUIC MB/s | Read MB/s | ratio | Read+sha256 MB/s | CPU s client/server (Read) | peak RSS MiB client/server",
  );
  for (const gib of sizes) {
    const bytes = gib * GIB;
    const ceiling = await rawQuic(rawInfo.port, rawInfo.key, bytes);

    const before = await ask(server, "stats");
    const cpu0 = cpuSeconds();
    let start = performance.now();
    let read = await client.peerRead(name, { path: `bench/${gib}g.bin` });
    let received = 0;
    for await (const chunk of read.body) received += chunk.length;
    const readSeconds = (performance.now() - start) / 1000;
    const clientCpu = cpuSeconds() - cpu0;
    const after = await ask(server, "stats");
    if (received !== bytes) throw new Error(`Read: got ${received} of ${bytes}`);

    start = performance.now();
    read = await client.peerRead(name, { path: `bench/${gib}g.bin` });
    const hash = createHash("sha256");
    for await (const chunk of read.body) hash.update(chunk);
    const hashSeconds = (performance.now() - start) / 1000;
    const ok = hash.digest("hex") === hashes.get(gib);
    if (!ok) throw new Error(`sha256 mismatch for ${gib} GiB`);

    const mbps = bytes / MB / readSeconds;
    console.log([
      `${gib} GiB`,
      fixed(ceiling.mbps, 0),
      fixed(mbps, 0),
      `${fixed((100 * mbps) / ceiling.mbps, 0)}%`,
      `${fixed(bytes / MB / hashSeconds, 0)} (sha256 ok)`,
      `${fixed(clientCpu, 1)} / ${fixed(after.cpu - before.cpu, 1)}`,
      `${fixed(peakRssMiB(), 0)} / ${fixed(after.rss, 0)}`,
    ].join(" | "));
  }
  await client.close();
  await quit(server);
  await quit(raw);
  await Deno.remove(storage, { recursive: true });
}
