/**
 * Waiting on a node's events instead of polling it: the state is checked now, then again after
 * every event, and a timeout fails the test naming what it waited for. The timeout is a failure
 * bound, not a wait: nothing here sleeps.
 */
import type { DownloadItem, DownloadState } from "../../src/downloads/mod.ts";
import type { HdpNode, NodeEvent } from "../../src/node/mod.ts";
import type { PeerInfo, PeerStatus, Standing } from "../../src/transport/mod.ts";

/** The default failure bound: generous, since the test machine is shared and busy. */
export const WAIT_MS = 30_000;

/** Anything with the event bus's `on`: a node's events, or a test's own. */
export interface Subscribable<E> {
  on(listener: (event: E) => void): () => void;
}

/** Options of {@link when} and {@link within}. */
export interface WaitOptions {
  /** What is awaited, for the failure message: "download 3 to be done". */
  what: string;
  /** The failure bound in ms. Default {@link WAIT_MS}. */
  timeoutMs?: number;
  /** Describes the state when the wait fails: "it is downloading". */
  state?: () => unknown;
}

/** What a probe answers: a value once the condition holds, `undefined` or `false` until then. */
type Answer<T> = T | undefined | false;

/**
 * Resolves with `probe`'s first answer that is not `undefined` or `false`: asked now, then after
 * every event of `sources`. Rejects after the timeout, naming `what` and the last state.
 */
export function when<T>(
  sources: Subscribable<unknown> | Subscribable<unknown>[],
  probe: () => Answer<T> | Promise<Answer<T>>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  return new Promise<T>((resolve, reject) => {
    let over = false;
    let checking = false;
    let again = false;
    const finish = (settle: () => void): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      for (const off of offs) off();
      settle();
    };
    const check = async (): Promise<void> => {
      if (checking) {
        again = true; // an event during an (async) check: check once more afterwards
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const answer = await probe();
          if (answer !== undefined && answer !== false) return finish(() => resolve(answer));
        } while (again && !over);
      } catch (error) {
        finish(() => reject(error));
      } finally {
        checking = false;
      }
    };
    // subscribe before the first check, so that no event falls between the two
    const offs = [sources].flat().map((source) => source.on(() => void check()));
    const timer = setTimeout(() => {
      finish(() => reject(new Error(timedOut(timeoutMs, options))));
    }, timeoutMs);
    void check();
  });
}

/** Resolves as `promise` does, or rejects after the timeout, naming `what`. */
export function within<T>(promise: Promise<T>, options: WaitOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(timedOut(timeoutMs, options))), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A {@link Subscribable} of the test's own news, for fakes that have no event bus. */
export class News<E = void> implements Subscribable<E> {
  readonly #listeners = new Set<(event: E) => void>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener. */
  emit(event: E): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

/** A download once it is in one of `states` (checked now, then at every event of the node). */
export function downloadState(
  node: HdpNode,
  id: string,
  states: DownloadState[],
  options: { timeoutMs?: number } = {},
): Promise<DownloadItem> {
  const item = () => node.downloads().find((d) => d.id === id);
  return when(node.events, () => {
    const now = item();
    return now !== undefined && states.includes(now.state) && now;
  }, {
    what: `download ${id} to be ${states.join(" or ")}`,
    state: () => {
      const now = item();
      return now ? `it is ${now.state}${now.reason ? ` (${now.reason})` : ""}` : "it is gone";
    },
    ...options,
  });
}

/** A peer of `node` once it has `status` (checked now, then at every event of the node). */
export function peerStatus(
  node: HdpNode,
  keyHex: string,
  status: PeerStatus,
  options: { what?: string; timeoutMs?: number } = {},
): Promise<PeerInfo> {
  const peer = () => node.peers().find((p) => p.keyHex === keyHex);
  return when(node.events, () => {
    const now = peer();
    return now?.status === status && now;
  }, {
    what: options.what ?? `peer ${keyHex.slice(0, 8)} to be ${status}`,
    state: () => peer()?.status ?? "it is unknown",
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** Waits until `node` sees the peer `keyHex` with `standing`. */
export function peerStanding(
  node: HdpNode,
  keyHex: string,
  standing: Standing,
  options: { what?: string; timeoutMs?: number } = {},
): Promise<PeerInfo> {
  const peer = () => node.peers().find((p) => p.keyHex === keyHex);
  return when(node.events, () => {
    const now = peer();
    return now?.standing === standing && now;
  }, {
    what: options.what ?? `peer ${keyHex.slice(0, 8)} to be ${standing}`,
    state: () => peer()?.standing ?? "it is unknown",
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** A node's events as a {@link Subscribable} of one type only. */
export function eventsOf<K extends NodeEvent["type"]>(
  node: HdpNode,
  type: K,
): Subscribable<Extract<NodeEvent, { type: K }>> {
  return {
    on: (listener) =>
      node.events.on((event) => {
        if (event.type === type) listener(event as Extract<NodeEvent, { type: K }>);
      }),
  };
}

function timedOut(timeoutMs: number, options: WaitOptions): string {
  let state = "";
  try {
    if (options.state) state = `: ${String(options.state())}`;
  } catch (error) {
    state = `: (cannot tell the state: ${String(error)})`;
  }
  return `Timed out after ${timeoutMs} ms waiting for ${options.what}${state}`;
}
