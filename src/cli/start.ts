/** `start`: prepares the directories, then runs the engine under the supervisor until stopped. */
import { isLogLevel, type LogLevel, setLogLevel } from "../log.ts";
import {
  addShare,
  checkConfinable,
  type NodeConfig,
  type NodeInfo,
  type Platform,
  resolveConfig,
} from "../node/light.ts";
import { resolve } from "node:path";
import { HdpError } from "../wire/light.ts";
import {
  type Command,
  type Io,
  type Parsed,
  stringValue,
  stringValues,
  UsageError,
  usageFrom,
} from "./command.ts";
import { superviseEngine } from "./supervisor.ts";

/** `start` */
export const startCommand: Command = {
  name: "start",
  summary: "Run the daemon: share directories, connect to peers, serve the web UI and control API.",
  usage: "start --share-dir DIR [--share-dir DIR …] [options]",
  options: {
    "share-dir": {
      type: "string",
      multiple: true,
      arg: "DIR",
      help: "a directory to share (repeatable; remembered)",
    },
    "download-dir": {
      type: "string",
      arg: "DIR",
      help: "where downloads go (default ~/Downloads/harddrive-party)",
    },
    storage: {
      type: "string",
      arg: "DIR",
      help: "state: key, index, wishlist (default: platform data dir)",
    },
    "ui-address": {
      type: "string",
      arg: "HOST:PORT",
      help: "web UI and control API address (default 127.0.0.1:3030)",
    },
    port: {
      type: "string",
      arg: "UDP_PORT",
      help: "UDP port for QUIC (default: picked once, remembered)",
    },
    "stun-server": {
      type: "string",
      multiple: true,
      arg: "HOST:PORT",
      help: "STUN server (repeatable; default: a built-in list)",
    },
    "no-stun": { type: "boolean", help: "do not use STUN (LAN and manual addresses only)" },
    "no-port-mapping": {
      type: "boolean",
      help: "do not ask the router to forward the QUIC port (PCP, NAT-PMP, UPnP-IGD)",
    },
    "upload-slots": {
      type: "string",
      arg: "N",
      help: "large uploads served at once; the rest queue fairly (default 3)",
    },
    "downloads-per-peer": {
      type: "string",
      arg: "N",
      help: "files downloaded at once from one peer (default 8)",
    },
    "max-downloads": {
      type: "string",
      arg: "N",
      help: "files downloaded at once in all (default 16)",
    },
    "no-mdns": { type: "boolean", help: "do not announce or discover peers on the LAN by mDNS" },
    accept: {
      type: "string",
      arg: "WHO",
      help: "who may connect at all: friends, known or everyone (default everyone; " +
        "each sees only the shares its standing allows)",
    },
    "no-gossip-me": {
      type: "boolean",
      help: "ask peers not to pass this node's address on to others",
    },
    relay: {
      type: "string",
      arg: "on|off",
      help: "relay end-to-end encrypted circuits between two peers this node is connected to " +
        "(default on, 16 circuits at once)",
    },
    "relay-rate": {
      type: "string",
      arg: "RATE",
      help: "relayed bytes a second at most, within --max-upload (default 10MB/s; unlimited)",
    },
    "max-upload": {
      type: "string",
      arg: "RATE",
      help: "upload limit, e.g. 5MB/s (kept; change it with `limits set`); default as last set",
    },
    "max-download": {
      type: "string",
      arg: "RATE",
      help: "download limit, e.g. 20MB/s (kept); default as last set",
    },
    audience: {
      type: "string",
      arg: "WHO",
      help: "who sees the --share-dir shares: friends, everyone or peer keys (default friends)",
    },
    verbose: { type: "boolean", short: "v", help: "log debug messages (same as HDP_LOG=debug)" },
    help: { type: "boolean", short: "h", help: "show this help" },
  },
  positionals: { min: 0, max: 0 },
  run: runStart,
};

/** The log level from `--verbose` and `HDP_LOG`. */
export function logLevelFrom(args: Parsed, io: Io): LogLevel {
  if (args.values.verbose) return "debug";
  const env = io.env("HDP_LOG");
  if (env === undefined || env === "") return "info";
  if (!isLogLevel(env)) {
    throw new UsageError(`HDP_LOG must be error, warn, info or debug, not "${env}"`);
  }
  return env;
}

async function runStart(args: Parsed, io: Io): Promise<number> {
  const logLevel = logLevelFrom(args, io);
  setLogLevel(logLevel);
  const config = configFrom(args, io, logLevel);
  await prepareDirs(config);
  let printed = false;
  const supervision = superviseEngine(config, {
    onReady: (info, token) => {
      if (!printed) printReady(io, info, token); // a restart with a new scope is no news
      printed = true;
    },
  });
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  let firstAt = 0;
  const onSignal = () => {
    // `deno task` forwards the terminal's Ctrl+C, so one press can arrive twice at once: only a
    // signal a moment after the first forces the exit.
    if (firstAt === 0) {
      firstAt = Date.now();
      io.stderr("Stopping… (press Ctrl+C again to force)\n");
      supervision.stop("signal");
    } else if (Date.now() - firstAt > 500) Deno.exit(130);
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  try {
    return await supervision.done;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  }
}

function configFrom(args: Parsed, io: Io, logLevel: LogLevel): NodeConfig {
  const names = ["HOME", "USERPROFILE", "XDG_DATA_HOME", "APPDATA", "LOCALAPPDATA"];
  const platform: Platform = {
    os: Deno.build.os,
    env: Object.fromEntries(names.map((n) => [n, io.env(n)])),
    cwd: io.cwd(),
  };
  try {
    return resolveConfig({
      shareDirs: stringValues(args, "share-dir"),
      downloadDir: stringValue(args, "download-dir"),
      storage: stringValue(args, "storage"),
      uiAddress: stringValue(args, "ui-address"),
      port: stringValue(args, "port"),
      stunServers: stringValues(args, "stun-server"),
      noStun: args.values["no-stun"] === true,
      noMdns: args.values["no-mdns"] === true,
      noPortMapping: args.values["no-port-mapping"] === true,
      logLevel,
      uploadSlots: stringValue(args, "upload-slots"),
      downloadsPerPeer: stringValue(args, "downloads-per-peer"),
      maxDownloads: stringValue(args, "max-downloads"),
      accept: stringValue(args, "accept"),
      noGossipMe: args.values["no-gossip-me"] === true,
      relay: stringValue(args, "relay"),
      relayRate: stringValue(args, "relay-rate"),
      audience: stringValue(args, "audience"),
      maxUpload: stringValue(args, "max-upload"),
      maxDownload: stringValue(args, "max-download"),
    }, platform);
  } catch (error) {
    usageFrom(error);
  }
}

/**
 * Checks the shares, creates the storage and download dirs, and remembers the shares given on the
 * command line in settings, so that the engine's permission scope comes from one place.
 */
async function prepareDirs(config: NodeConfig): Promise<void> {
  for (const dir of config.shareDirs) {
    const info = await Deno.stat(dir).catch(() => null);
    if (!info) throw new UsageError(`--share-dir: "${dir}" does not exist`);
    if (!info.isDirectory) throw new UsageError(`--share-dir: "${dir}" is not a directory`);
  }
  const dirs: Array<[string, string]> = [
    ["--storage", config.storageDir],
    ["--download-dir", config.downloadDir],
  ];
  for (const [flag, dir] of dirs) {
    try {
      checkConfinable(resolve(dir), "the directory");
    } catch (error) {
      if (error instanceof HdpError) throw new UsageError(`${flag}: ${error.message}`);
      throw error;
    }
  }
  await Deno.mkdir(config.storageDir, { recursive: true, mode: 0o700 });
  await Deno.mkdir(config.downloadDir, { recursive: true });
  for (const dir of config.shareDirs) {
    try {
      await addShare(
        config.storageDir,
        dir,
        config.shareAudience ? { audience: config.shareAudience } : {},
      );
    } catch (error) {
      if (error instanceof HdpError) throw new UsageError(`--share-dir: ${error.message}`);
      throw error;
    }
  }
}

function printReady(io: Io, info: NodeInfo, token: string | undefined): void {
  io.stdout(
    [
      `harddrive-party ${info.version} is running as ${info.name}`,
      `  Web UI and API:   http://${info.uiAddress}`,
      `  Announce address: ${info.announceAddress}`,
      `  Sharing:          ${
        info.shares.map((s) => `${s.name} (${s.path})`).join(", ") || "(nothing yet)"
      }`,
      `  Downloads go to:  ${info.downloadDir}`,
      ...(token
        ? [
          `  API token:        ${token}`,
          `  (the API listens beyond loopback: the web UI asks for this token, the CLI takes --token)`,
        ]
        : []),
      "",
    ].join("\n"),
  );
}
