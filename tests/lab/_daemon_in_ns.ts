/**
 * The real daemon inside a lab namespace, with exactly the permission flags of `deno task start`,
 * and its CLI in the same namespace: the control API listens on that namespace's loopback, which
 * nothing outside it can reach.
 *
 * HDP_LAB_DENO_CONFIG, when set, is passed as `--config` (as in _lab.ts).
 */
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startTaskFlags } from "../helpers/daemon.ts";
import type { PeerInfo } from "../../src/api/mod.ts";
import { loadOrCreateToken } from "../../src/node/light.ts";

const REPO = fromFileUrl(new URL("../../", import.meta.url));
const MAIN = join(REPO, "main.ts");
/** Each namespace has its own loopback, so every daemon can use the same control address. */
const UI_PORT = 3030;
const UI_ADDRESS = `127.0.0.1:${UI_PORT}`;
const ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

/** What a finished CLI call printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link startDaemonInNs}. */
export interface NsDaemonOptions {
  storage: string;
  downloadDir: string;
  shareDir: string;
  /** The fixed UDP port (STUN is asked from it before QUIC binds it). */
  port: number;
  stunServers: string[];
  /** Announce and discover on the LAN. Default false (`--no-mdns`). */
  mdns?: boolean;
  /** Ask the router for a port. Default true (false: `--no-port-mapping`). */
  portMapping?: boolean;
  /** More flags of `start` (`--relay off`). */
  extraArgs?: string[];
  /**
   * Serve the API on every address of the namespace (with the token, which the CLI runs here
   * are given), so one probe elsewhere in the lab can drive many daemons. Default loopback.
   */
  apiBeyondLoopback?: boolean;
}

/** A daemon running inside a namespace. */
export interface NsDaemon extends AsyncDisposable {
  readonly ns: string;
  /** The API token, when the API serves beyond loopback. */
  readonly token: string | undefined;
  /** The pid of the daemon (`ip netns exec` execs it, so this is the deno process). */
  readonly pid: number;
  /** Date.now() when it was spawned. */
  readonly spawnedAt: number;
  /** Date.now() when its "Web UI and API" line arrived. */
  readonly readyAt: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Runs `harddrive-party ARGS --ui-address …` in the daemon's namespace. */
  cli(...args: string[]): Promise<CliResult>;
  /** Runs a `--json` command and parses its answer; throws with stderr when it fails. */
  json<T>(...args: string[]): Promise<T>;
  /** Runs `read PEER/PATH > file` in the namespace. */
  readToFile(peerPath: string, file: string): Promise<CliResult>;
  /** SIGKILLs the daemon and waits until it is gone. */
  kill(): Promise<void>;
  /** Runs `stop` (a clean stop, as a user would) and waits for the exit; its exit code. */
  stop(): Promise<number>;
}

function denoRun(): string[] {
  const config = Deno.env.get("HDP_LAB_DENO_CONFIG");
  return [
    Deno.execPath(),
    "run",
    ...startTaskFlags(),
    ...(config ? ["--config", config] : []),
    MAIN,
  ];
}

/** Runs `ip netns exec NS ARGS` to completion. */
async function inNs(
  ns: string,
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const out = await new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...args],
    cwd: REPO,
    env: { ...ENV, ...options.env },
    stdin: "null",
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Starts `harddrive-party start` inside `ns` and waits until it serves the API. */
export async function startDaemonInNs(ns: string, options: NsDaemonOptions): Promise<NsDaemon> {
  const args = [
    ...["start", "--storage", options.storage, "--download-dir", options.downloadDir],
    ...[
      "--share-dir",
      options.shareDir,
      // the lab is about reaching peers, not privacy: the shares are for everyone connected
      "--audience",
      "everyone",
      "--ui-address",
      options.apiBeyondLoopback ? `0.0.0.0:${UI_PORT}` : UI_ADDRESS,
      "--port",
      String(options.port),
    ],
    ...options.stunServers.flatMap((server) => ["--stun-server", server]),
    ...(options.mdns ? [] : ["--no-mdns"]),
    ...(options.portMapping === false ? ["--no-port-mapping"] : []),
    ...(options.extraArgs ?? []),
  ];
  const spawnedAt = Date.now();
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...denoRun(), ...args],
    cwd: REPO,
    env: { ...ENV, HDP_LOG: "info" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (/Web UI and API:\s+http:\/\/\S+/.test(text)) ready.resolve(Date.now());
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then((s) => {
    ready.reject(
      new Error(`the daemon in ${ns} exited with ${s.code} before it was ready:\n${text}`),
    );
    return s;
  });
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
    await pumps;
  };
  const timer = setTimeout(
    () => ready.reject(new Error(`the daemon in ${ns} was not ready in 30 s:\n${text}`)),
    30_000,
  );
  let readyAt: number;
  try {
    readyAt = await ready.promise;
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // the daemon made it as it started: this reads it back
  const token = options.apiBeyondLoopback ? await loadOrCreateToken(options.storage) : undefined;
  const cli = (...cliArgs: string[]) =>
    inNs(ns, [...denoRun(), ...cliArgs, "--ui-address", UI_ADDRESS], {
      ...(token ? { env: { HDP_TOKEN: token } } : {}),
    });
  return {
    ns,
    pid: child.pid,
    token,
    spawnedAt,
    readyAt,
    output: () => text,
    cli,
    async json<T>(...cliArgs: string[]): Promise<T> {
      const result = await cli(...cliArgs, "--json");
      if (result.code !== 0) {
        throw new Error(`${cliArgs[0]} in ${ns} failed (${result.code}): ${result.stderr.trim()}`);
      }
      return JSON.parse(result.stdout) as T;
    },
    readToFile: (peerPath, file) =>
      // The redirection happens inside the namespace, as a user would type it there.
      inNs(
        ns,
        [
          "sh",
          "-c",
          'exec "$@" > "$HDP_OUT"',
          "sh",
          ...denoRun(),
          "read",
          peerPath,
          "--ui-address",
          UI_ADDRESS,
        ],
        { timeoutMs: 120_000, env: { HDP_OUT: file } },
      ),
    kill,
    async stop() {
      await cli("stop");
      const timer = setTimeout(() => void kill(), 15_000);
      try {
        return (await status).code;
      } finally {
        clearTimeout(timer);
        await pumps;
      }
    },
    [Symbol.asyncDispose]: kill,
  };
}

/**
 * How `daemon` is connected to the peer `keyHex`, as its `peers --json` says: "IPv4 mapped",
 * "IPv4 relayed via NAME", …, or its status and why.
 */
export async function pathTo(daemon: NsDaemon, keyHex: string): Promise<string> {
  const peer = (await daemon.json<PeerInfo[]>("peers")).find((p) => p.keyHex === keyHex);
  if (!peer) return "unknown peer";
  if (peer.status !== "connected") return `${peer.status}: ${peer.reason ?? ""}`;
  const p = peer.path;
  return p ? `${p.family} ${p.via}${p.relay ? ` via ${p.relay}` : ""}` : "no path";
}
