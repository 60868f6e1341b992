/**
 * The pace of the bytes going one way (one throttle for what the node uploads, one for what it
 * downloads): a global limit and per-peer caps (token buckets), interactive requests first, and
 * the rest shared fairly between peers. Bytes ask before they move: `take` resolves when they
 * may. Unlimited, `take` answers at once without a promise, so an unlimited node pays nothing.
 *
 * Fairness is byte-based fair queuing: each peer has a virtual time, the bytes it was granted;
 * of the peers waiting, the one furthest behind goes next, and a peer that was idle starts level
 * with the others, so it gains no credit by waiting. Within a peer, chunks go in the order asked,
 * and since each file asks for one chunk at a time, its files take turns.
 */
import { TokenBucket } from "./token_bucket.ts";
import { TrafficMeter } from "./traffic_meter.ts";

/** Interactive bytes (listings, searches, the start of a stream) go before bulk ones. */
export type Priority = "interactive" | "bulk";

/** Time, for tests to fake. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns its cancel. */
  later(fn: () => void, ms: number): () => void;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  later: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
};

/** Options of {@link Throttle.take}. */
export interface TakeOptions {
  /** Default `bulk`. */
  priority?: Priority;
  /** Withdraws the wait: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

interface Waiter {
  /** Bytes not granted yet. */
  bytes: number;
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
}

interface Flow {
  urgent: Waiter[];
  bulk: Waiter[];
  /** Bytes of bulk granted: the flow's virtual time. */
  virtual: number;
  /** When it last had a grant or a waiter. */
  activeAt: number;
}

/**
 * Under a limit, bytes are granted in pieces of at most this: a 1 MiB chunk goes as 16 grants, so
 * the bucket's debt stays small and an interactive request waits at most one piece's time
 * (3 ms at 20 MB/s) rather than a whole chunk's.
 */
export const GRANT_BYTES = 64 * 1024;

/** A flow idle this long is forgotten (it keeps no credit anyway). */
const FLOW_IDLE_MS = 5000;
/**
 * A flow that asked nothing for this long is brought level with the others when it asks again.
 * Between one chunk and the next a transfer has nothing waiting for a moment: that is no pause.
 */
const IDLE_MS = 250;

/** The pace of one direction of traffic. */
export class Throttle {
  readonly #clock: Clock;
  readonly #global: TokenBucket;
  readonly #caps = new Map<string, TokenBucket>();
  readonly #flows = new Map<string, Flow>();
  readonly #meter = new TrafficMeter();
  #waiting = 0;
  #seq = 0;
  #cancelTimer: (() => void) | undefined;

  /** `rate` in bytes a second; 0: unlimited. */
  constructor(rate = 0, clock: Clock = SYSTEM_CLOCK) {
    this.#clock = clock;
    this.#global = new TokenBucket(rate, clock.now());
  }

  /** The global limit, bytes a second (0: unlimited). */
  get rate(): number {
    return this.#global.rate;
  }

  /** Changes the global limit; running transfers follow at their next chunk. */
  setRate(rate: number): void {
    this.#global.setRate(rate, this.#clock.now());
    this.#pump();
  }

  /** The cap of one peer (bytes a second); 0 removes it. */
  setFlowRate(flow: string, rate: number): void {
    const now = this.#clock.now();
    if (rate === 0) this.#caps.delete(flow);
    else {
      const cap = this.#caps.get(flow);
      if (cap) cap.setRate(rate, now);
      else this.#caps.set(flow, new TokenBucket(rate, now));
    }
    this.#pump();
  }

  /** The cap of one peer, 0 for none. */
  flowRate(flow: string): number {
    return this.#caps.get(flow)?.rate ?? 0;
  }

  /**
   * Asks to move `bytes` for `flow` (a peer's key). Undefined: they may move now; otherwise a
   * promise that resolves when they may.
   */
  take(flow: string, bytes: number, options: TakeOptions = {}): Promise<void> | undefined {
    const now = this.#clock.now();
    const cap = this.#caps.get(flow);
    const unlimited = this.#global.rate === 0 && cap === undefined;
    if (
      this.#waiting === 0 && (unlimited || bytes <= GRANT_BYTES) &&
      this.#global.waitMs(now) === 0 && (cap?.waitMs(now) ?? 0) === 0
    ) {
      this.#grant(flow, bytes, options.priority === "interactive", now);
      return undefined;
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, seq: this.#seq++, resolve, reject, signal: options.signal };
      const entry = this.#flow(flow, now);
      const queue = options.priority === "interactive" ? entry.urgent : entry.bulk;
      queue.push(waiter);
      this.#waiting++;
      if (options.signal) {
        waiter.onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at < 0) return;
          queue.splice(at, 1);
          this.#waiting--;
          reject(options.signal!.reason);
          this.#pump();
        };
        options.signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#pump();
    });
  }

  /** Bytes a second moved over the last two seconds. */
  current(): number {
    return this.#meter.rate(this.#clock.now());
  }

  /** Bytes moved in each of the last `seconds` seconds, oldest first. */
  history(seconds?: number): number[] {
    return this.#meter.history(this.#clock.now(), seconds);
  }

  /** Bytes moved since the throttle was made. */
  get total(): number {
    return this.#meter.total;
  }

  #flow(key: string, now: number): Flow {
    let flow = this.#flows.get(key);
    const fresh = !flow;
    if (!flow) {
      flow = { urgent: [], bulk: [], virtual: 0, activeAt: now };
      this.#flows.set(key, flow);
    }
    if (fresh || (flow.urgent.length + flow.bulk.length === 0 && now - flow.activeAt > IDLE_MS)) {
      // level with the peers waiting now: an idle peer keeps no credit
      let least = Infinity;
      for (const other of this.#flows.values()) {
        if (other !== flow && other.bulk.length > 0) least = Math.min(least, other.virtual);
      }
      if (least !== Infinity) flow.virtual = Math.max(flow.virtual, least);
    }
    flow.activeAt = now;
    return flow;
  }

  #grant(key: string, bytes: number, urgent: boolean, now: number): void {
    this.#global.take(bytes, now);
    this.#caps.get(key)?.take(bytes, now);
    this.#meter.add(bytes, now);
    const flow = this.#flows.get(key);
    if (flow) {
      if (!urgent) flow.virtual += bytes;
      flow.activeAt = now;
    }
  }

  /** Grants every waiter that may go now, best first; then sleeps until the next one may. */
  #pump(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    for (;;) {
      const now = this.#clock.now();
      const globalWait = this.#global.waitMs(now);
      let best: { key: string; flow: Flow; urgent: boolean } | undefined;
      let soonest = Infinity;
      for (const [key, flow] of this.#flows) {
        const urgent = flow.urgent.length > 0;
        const head = flow.urgent[0] ?? flow.bulk[0];
        if (!head) {
          if (now - flow.activeAt > FLOW_IDLE_MS) this.#flows.delete(key);
          continue;
        }
        const wait = Math.max(globalWait, this.#caps.get(key)?.waitMs(now) ?? 0);
        if (wait > 0) {
          soonest = Math.min(soonest, wait);
          continue;
        }
        if (!best || better({ flow, urgent, head }, best)) best = { key, flow, urgent };
      }
      if (!best) {
        if (soonest !== Infinity) {
          this.#cancelTimer = this.#clock.later(() => this.#pump(), soonest);
        }
        return;
      }
      const queue = best.urgent ? best.flow.urgent : best.flow.bulk;
      const waiter = queue[0]!;
      const unlimited = this.#global.rate === 0 && !this.#caps.has(best.key);
      const piece = unlimited ? waiter.bytes : Math.min(waiter.bytes, GRANT_BYTES);
      this.#grant(best.key, piece, best.urgent, now);
      waiter.bytes -= piece;
      if (waiter.bytes > 0) continue; // its next piece takes its turn like any other
      queue.shift();
      this.#waiting--;
      if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
  }
}

/** Interactive before bulk (first come first), then the flow furthest behind. */
function better(
  a: { flow: Flow; urgent: boolean; head: Waiter },
  b: { flow: Flow; urgent: boolean },
): boolean {
  const bHead = (b.urgent ? b.flow.urgent[0] : b.flow.bulk[0])!;
  if (a.urgent !== b.urgent) return a.urgent;
  if (a.urgent) return a.head.seq < bHead.seq;
  if (a.flow.virtual !== b.flow.virtual) return a.flow.virtual < b.flow.virtual;
  return a.head.seq < bHead.seq;
}
