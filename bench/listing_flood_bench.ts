/**
 * A flood of listings: 8 peers each open 250 recursive `Ls` of a 20,000-file share at once
 * against a daemon (a separate process, as users run it). Prints how many were served and how
 * many answered BUSY, and the daemon's RSS before and at its peak (target: under 250 MiB).
 *
 *   deno run -A bench/listing_flood_bench.ts [--files 20000] [--peers 8] [--each 250] [--rounds 3]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { lsCall } from "../src/rpc/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { toHdpError } from "../src/wire/mod.ts";
import { eventually, startDaemon, tempDir } from "../tests/helpers/daemon.ts";
import { fixed, memoryMiB } from "./_util.ts";

const args = parseArgs({
  options: {
    files: { type: "string", default: "20000" },
    peers: { type: "string", default: "8" },
    each: { type: "string", default: "250" },
    rounds: { type: "string", default: "3" },
  },
}).values;

await using dir = await tempDir("hdp-flood-");
const share = join(dir.path, "share");
for (let d = 0; d < 100; d++) {
  await Deno.mkdir(join(share, `dir${d}`), { recursive: true });
}
for (let i = 0; i < Number(args.files); i++) {
  await Deno.writeTextFile(join(share, `dir${i % 100}`, `file-${i}.txt`), "x");
}
await using daemon = await startDaemon({
  shareDirs: [share],
  storage: join(dir.path, "storage"),
  downloadDir: join(dir.path, "downloads"),
  env: { HDP_LOG: "warn" },
});
await eventually(async () => (await daemon.client.shares()).every((s) => !s.scanning) || undefined);
const info = await daemon.client.info();
const peers = await Promise.all(Array.from({ length: Number(args.peers) }, async () => {
  const transport = await QuicTransport.open(await generateIdentity(), {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  return {
    transport,
    connection: await transport.dial("127.0.0.1", info.port, fromHex(info.publicKey)!),
  };
}));
const before = memoryMiB(daemon.process.pid);
console.log(`daemon before: rss ${fixed(before.rss)} MiB`);
for (let round = 1; round <= Number(args.rounds); round++) {
  const began = performance.now();
  const outcomes = await Promise.all(
    peers.flatMap(({ connection }) =>
      Array.from({ length: Number(args.each) }, async () => {
        try {
          let entries = 0;
          for await (const page of lsCall(connection, { path: "", recursive: true })) {
            entries += page.entries.length;
          }
          return entries >= Number(args.files) ? "served" : "short";
        } catch (error) {
          return toHdpError(error).code;
        }
      })
    ),
  );
  const count = (what: string) => outcomes.filter((o) => o === what).length;
  const now = memoryMiB(daemon.process.pid);
  console.log(
    `round ${round}: ${outcomes.length} listings in ${
      fixed((performance.now() - began) / 1000)
    } s: ` +
      `${count("served")} served whole, ${count("BUSY")} BUSY, ` +
      `${outcomes.length - count("served") - count("BUSY")} other; ` +
      `daemon rss ${fixed(now.rss)} MiB, peak ${fixed(now.peak)} MiB (target < 250)`,
  );
}
for (const { transport } of peers) await transport.close();
