/**
 * A benchmark helper: runs a node sharing one directory in its own process, prints its announce
 * address as a JSON line, and on a line "stats" on stdin prints its CPU seconds and peak RSS.
 */
import { join } from "node:path";
import { setLogLevel } from "../src/log.ts";
import { loopbackConfig } from "../tests/helpers/nodes.ts";
import { startNode, writeSettings } from "../src/node/mod.ts";
import { cpuSeconds, peakRssMiB } from "./_util.ts";

const [shareDir, storage, port] = Deno.args;
if (!shareDir || !storage) throw new Error("usage: _serve_node.ts SHARE_DIR STORAGE_DIR");
setLogLevel("warn");
await Deno.mkdir(storage, { recursive: true });
await writeSettings(storage, { shares: [{ name: "bench", path: await Deno.realPath(shareDir) }] });
const node = await startNode({
  ...loopbackConfig(storage, join(storage, "downloads")),
  port: Number(port ?? 0),
}, { hostname: "127.0.0.1", watch: false });
for (let i = 0; i < 1000 && (await node.shares()).some((s) => s.scanning); i++) {
  await new Promise((r) => setTimeout(r, 20));
}
console.log(JSON.stringify({ announce: node.info().announceAddress, name: node.info().name }));
for await (const line of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  if (line.includes("stats")) console.log(JSON.stringify({ cpu: cpuSeconds(), rss: peakRssMiB() }));
  if (line.includes("uploads")) console.log(JSON.stringify(node.uploads()));
  if (line.includes("quit")) break;
}
await node.close();
Deno.exit(0);
