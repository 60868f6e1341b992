/**
 * Adding or removing a share restarts the daemon's engine (its permissions are scoped to the shares);
 * this waits until the new engine answers.
 */
import { type ApiClient, hdpError, type NodeInfo } from "../src/api/light.ts";
import { errorCode } from "./errors.ts";

/** A change of shares that restarts the engine. */
export interface ShareChange {
  op: "add" | "remove";
  /** The share's name, as the daemon answered it. */
  name: string;
}

/** Tells whether `info` comes from an engine that runs with the change applied. */
export function hasRestarted(info: NodeInfo, change: ShareChange): boolean {
  const present = info.shares.some((share) => share.name === change.name);
  return change.op === "add" ? present : !present;
}

/** Options of {@link waitForRestart}. */
export interface WaitOptions {
  /** Between two polls of `/api/info`. Default 400 ms. */
  intervalMs?: number;
  /** How long before giving up. Default 60 s. */
  timeoutMs?: number;
  /** How long one poll may take before the next is sent. Default 3 s. */
  pollTimeoutMs?: number;
}

/** Polls `/api/info` until the restarted engine answers; throws `TIMEOUT` when it does not. */
export async function waitForRestart(
  client: ApiClient,
  change: ShareChange,
  options: WaitOptions = {},
): Promise<NodeInfo> {
  const { intervalMs = 400, timeoutMs = 60_000, pollTimeoutMs = 3_000 } = options;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      // a request the old engine took as it ended may never be answered: ask again on a new one
      const info = await withinMs(client.info(), pollTimeoutMs);
      if (info && hasRestarted(info, change)) return info;
    } catch (error) {
      // while the engine restarts nothing answers; only a refused token is final
      if (errorCode(error) === "UNAUTHORIZED") throw error;
    }
    if (Date.now() > deadline) {
      throw hdpError("TIMEOUT", "The daemon did not come back after restarting: reload the page");
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `promise`'s value, or undefined when it has not settled within `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: number | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
