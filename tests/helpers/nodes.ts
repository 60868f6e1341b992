/** In-process nodes for multi-peer tests: real QUIC on 127.0.0.1, real KV files, real shares. */
import { join } from "node:path";
import { setLogLevel } from "../../src/log.ts";
import {
  type HdpNode,
  LIMITS,
  type NodeConfig,
  startNode,
  writeSettings,
} from "../../src/node/mod.ts";
import { when } from "./events.ts";

/** A node with its directories, closed and removed when disposed. */
export interface TestNode extends AsyncDisposable {
  node: HdpNode;
  root: string;
  shareDir: string;
  config: NodeConfig;
}

/** Files to put in a node's share: relative path → content. */
export type Files = Record<string, string | Uint8Array>;

/** Starts a node sharing one directory, `share`, filled with `files`. */
export async function testNode(
  files: Files = {},
  options: { shareName?: string; watch?: boolean; uploadSlots?: number; hostname?: string } = {},
): Promise<TestNode> {
  setLogLevel("warn");
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-node-" }));
  const shareDir = join(root, options.shareName ?? "share");
  await Deno.mkdir(shareDir);
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(join(shareDir, path, ".."), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(join(shareDir, path), content);
    else await Deno.writeFile(join(shareDir, path), content);
  }
  const config: NodeConfig = {
    ...loopbackConfig(join(root, "storage"), join(root, "downloads")),
    ...(options.uploadSlots ? { uploadSlots: options.uploadSlots } : {}),
  };
  await Deno.mkdir(config.storageDir);
  await Deno.mkdir(config.downloadDir);
  await writeSettings(config.storageDir, {
    shares: [{ name: options.shareName ?? "share", path: shareDir }],
  });
  const node = await startNode(config, {
    hostname: options.hostname ?? "127.0.0.1",
    watch: options.watch ?? false,
  });
  return {
    node,
    root,
    shareDir,
    config,
    async [Symbol.asyncDispose]() {
      await node.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** The config of a node on loopback with no STUN or mDNS, its UDP port picked by the OS. */
export function loopbackConfig(storageDir: string, downloadDir: string): NodeConfig {
  return {
    shareDirs: [],
    downloadDir,
    storageDir,
    ui: { hostname: "127.0.0.1", port: 0 },
    port: 0,
    stunServers: [],
    stun: false,
    mdns: false,
    logLevel: "warn",
    ...LIMITS,
  };
}

/** Waits until a node's shares are indexed (their scans end with a "share" event). */
export async function indexed(node: HdpNode): Promise<void> {
  await when(node.events, async () => (await node.shares()).every((s) => !s.scanning), {
    what: "the shares to be indexed",
  });
}
