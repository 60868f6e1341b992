/** In-process nodes for multi-peer tests: real QUIC on 127.0.0.1, real KV files, real shares. */
import { join } from "node:path";
import { setLogLevel } from "../../src/log.ts";
import {
  type Audience,
  type HdpNode,
  LIMITS,
  type NodeConfig,
  type NodeOptions,
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
  /** Stops the node and starts it again on the same storage (its key, state and shares). */
  restart(): Promise<void>;
}

/** Files to put in a node's share: relative path → content. */
export type Files = Record<string, string | Uint8Array>;

/** Starts a node sharing one directory, `share`, filled with `files`. */
export async function testNode(
  files: Files = {},
  options: {
    shareName?: string;
    watch?: boolean;
    uploadSlots?: number;
    hostname?: string;
    /** The share's audience; without it, none is saved (a share from before audiences: everyone). */
    audience?: Audience;
    /** More shares beside it: name → its files and audience. */
    more?: Record<string, { files: Files; audience?: Audience }>;
    accept?: NodeConfig["accept"];
    unlisted?: boolean;
    /** `--relay on|off`; default on. */
    relay?: boolean;
    /** `--relay-rate`, bytes a second; default none (tests run unlimited). */
    relayRate?: number;
    /** Sees (and may change) every chunk the node relays. */
    relayTap?: NodeOptions["relayTap"];
  } = {},
): Promise<TestNode> {
  setLogLevel("warn");
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-node-" }));
  const shareDir = join(root, options.shareName ?? "share");
  await Deno.mkdir(shareDir);
  await fill(shareDir, files);
  const config: NodeConfig = {
    ...loopbackConfig(join(root, "storage"), join(root, "downloads")),
    ...(options.uploadSlots ? { uploadSlots: options.uploadSlots } : {}),
    ...(options.accept ? { accept: options.accept } : {}),
    ...(options.unlisted ? { unlisted: true } : {}),
    ...(options.relay === undefined ? {} : { relay: options.relay }),
    ...(options.relayRate === undefined ? {} : { relayRate: options.relayRate }),
  };
  await Deno.mkdir(config.storageDir);
  await Deno.mkdir(config.downloadDir);
  const shares = [{
    name: options.shareName ?? "share",
    path: shareDir,
    ...(options.audience ? { audience: options.audience } : {}),
  }];
  for (const [name, more] of Object.entries(options.more ?? {})) {
    const path = join(root, name);
    await Deno.mkdir(path);
    await fill(path, more.files);
    shares.push({ name, path, ...(more.audience ? { audience: more.audience } : {}) });
  }
  await writeSettings(config.storageDir, { shares });
  const start = () =>
    startNode(config, {
      hostname: options.hostname ?? "127.0.0.1",
      watch: options.watch ?? false,
      ...(options.relayTap ? { relayTap: options.relayTap } : {}),
    });
  const test: TestNode = {
    node: await start(),
    root,
    shareDir,
    config,
    async restart() {
      await test.node.close();
      test.node = await start(); // on a new port (the old one lingers a moment)
    },
    async [Symbol.asyncDispose]() {
      await test.node.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  return test;
}

async function fill(dir: string, files: Files): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(join(dir, path), content);
    else await Deno.writeFile(join(dir, path), content);
  }
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
    portMapping: false,
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
