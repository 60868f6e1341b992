/**
 * A daemon (a separate process, as users run it) under a stream of throwaway identities: the peer
 * table, the dials and the memory stay within fixed bounds.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startDaemon, tempDir } from "./helpers/daemon.ts";
import { memoryMiB, spawnHelper } from "../bench/_util.ts";
import { Churn } from "./helpers/churn.ts";

/**
 * The memory once the process has been idle a while: the least RSS over 30 s. V8 gives memory
 * back only when a major collection runs (its memory reducer does, some 20 s into a quiet spell),
 * so a single reading right after a burst says more about the collector than about the node.
 */
async function settled(pid: number): Promise<number> {
  let least = Infinity;
  for (let waited = 0; waited < 30_000; waited += 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    least = Math.min(least, memoryMiB(pid).rss);
  }
  return least;
}

/** The benchmarks' raw QUIC server, the anchor: what the runtime's QUIC costs alone. */
async function bareQuic() {
  const { process, lines } = spawnHelper("./_raw_quic.ts", []);
  const { port, key } = JSON.parse((await lines.next()).value);
  return {
    pid: process.pid,
    churn: new Churn({ port, publicKey: key, kind: "bare" }),
    async [Symbol.asyncDispose]() {
      process.kill("SIGKILL");
      await process.stdin.close().catch(() => {});
      await process.status;
    },
  };
}

Deno.test("2,000 throwaway identities leave the peer table and dials of a daemon bounded, and no more memory than Deno's QUIC alone", async () => {
  await using dir = await tempDir();
  await using daemon = await startDaemon({
    storage: join(dir.path, "storage"),
    downloadDir: join(dir.path, "downloads"),
  });
  await using bare = await bareQuic();
  const info = await daemon.client.info();
  const churn = new Churn({ port: info.port, publicKey: info.publicKey });
  const pids = [daemon.process.pid, bare.pid];
  try {
    // the same churn against both at once, so the machine's load is the same for both
    await Promise.all([churn.run(100), bare.churn.run(100)]);
    const first = await Promise.all(pids.map(settled));
    await Promise.all([churn.run(1900), bare.churn.run(1900)]);
    const last = await Promise.all(pids.map(settled));
    assert.equal(churn.failed, 0, "every stranger got in");
    const peers = await daemon.client.peers();
    assert.ok(peers.length <= 256, `${peers.length} peers remembered`);
    assert.ok(peers.every((p) => p.status === "disconnected" && p.retryAt === undefined));
    // nobody is redialled: a failed redial would be logged
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(daemon.output().match(/cannot reach a peer/g)?.length ?? 0, 0);
    // Deno's QUIC grows for the first thousands of connections whatever runs on it (V8's young
    // generation, the allocator's arenas): the node may add nothing to that but a little.
    const [node, anchor] = [last[0]! - first[0]!, last[1]! - first[1]!];
    const figures = `RSS after 100 strangers ${first[0]!.toFixed(0)} MiB, after 2,000 ` +
      `${last[0]!.toFixed(0)} (${node.toFixed(0)} more); a bare Deno QUIC server ` +
      `${first[1]!.toFixed(0)} → ${last[1]!.toFixed(0)} (${anchor.toFixed(0)} more); ` +
      `${peers.length} remembered`;
    assert.ok(node - anchor < 20, figures);
    console.log(figures);
  } finally {
    churn.close();
    bare.churn.close();
  }
});
