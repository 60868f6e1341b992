/**
 * Runs real daemons as child processes, with exactly the permission flags of `deno task start`,
 * and talks to them through the real API client.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ApiClient, createClient } from "../../src/api/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The `deno run` flags of `deno task start`, read from deno.json so tests run what users run. */
export function startTaskFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  const task: string = config.tasks.start;
  const words = task.split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
}

/** A fresh temporary directory, removed when disposed. */
export async function tempDir(prefix = "hdp-test-"): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/** Runs the CLI to completion and collects its output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...startTaskFlags(), join(ROOT, "main.ts"), ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  shareDirs?: string[];
  /** `--audience` of the shares (default everyone). */
  audience?: string;
  storage: string;
  downloadDir: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

/** A running daemon process. */
export interface Daemon extends AsyncDisposable {
  readonly process: Deno.ChildProcess;
  readonly client: ApiClient;
  readonly uiAddress: string;
  /** Everything the daemon wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and waits for the exit status. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Starts `harddrive-party start` on a free control port and waits until it serves the API. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const args = [
    "start",
    "--storage",
    options.storage,
    "--download-dir",
    options.downloadDir,
    "--ui-address",
    "127.0.0.1:0",
    "--no-stun",
    "--no-mdns",
    "--no-port-mapping",
    ...(options.shareDirs ?? []).flatMap((d) => ["--share-dir", d]),
    // most tests are not about privacy: their shares are for everyone unless they say otherwise
    ...(options.shareDirs?.length ? ["--audience", options.audience ?? "everyone"] : []),
    ...(options.extraArgs ?? []),
  ];
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", ...startTaskFlags(), join(ROOT, "main.ts"), ...args],
    env: { NO_COLOR: "1", HDP_LOG: "info", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const match = text.match(/Web UI and API:\s+http:\/\/(\S+)/);
      if (match?.[1]) ready.resolve(match[1]);
    }
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  const status = process.status.then((s) => {
    ready.reject(new Error(`daemon exited with ${s.code} before it was ready:\n${text}`));
    return s;
  });
  const timer = setTimeout(
    () => ready.reject(new Error(`daemon not ready in 30 s:\n${text}`)),
    30_000,
  );
  let uiAddress: string;
  try {
    uiAddress = await ready.promise;
  } catch (error) {
    try {
      process.kill("SIGKILL");
    } catch { /* already gone */ }
    await pumps;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const kill = async (signal: Deno.Signal = "SIGTERM") => {
    try {
      process.kill(signal);
    } catch { /* already exited */ }
    const s = await status;
    await pumps;
    return s;
  };
  return {
    process,
    client: createClient(`http://${uiAddress}`),
    uiAddress,
    output: () => text,
    kill,
    [Symbol.asyncDispose]: async () => {
      await kill("SIGKILL");
    },
  };
}

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** What is awaited, for the failure message. */
  what?: string;
  /** The pause between two checks. Default 50 ms. */
  everyMs?: number;
}

/**
 * Retries `check` until it returns a value (not undefined) or `timeoutMs` passes: polling a
 * separate process, which has no event to await across it. A failed assertion inside `check`
 * fails at once; other errors are retried (the process may not answer yet).
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      last = error;
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 50));
  }
  const what = options.what ? ` waiting for ${options.what}` : "";
  throw new Error(`Condition not met in ${timeoutMs} ms${what}; last error: ${last}`);
}

/**
 * Calls `get` until `done` holds of its answer, or `ms` have passed, and gives the last answer
 * either way: for a report that says what was seen where {@link eventually} would only fail.
 */
export async function until<T>(
  get: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
