/**
 * Uploads this node's owner cancelled while their bytes flowed. The stream is reset, which the
 * downloader takes for a broken transfer and asks again at once: that next `Read` of the same
 * file by the same peer is answered `CANCELLED`, so the downloader stops for good. One-shot (a
 * person's later Retry works) and short-lived, bounded in number. Pure: the clock is passed in.
 */

/** How long a refusal waits for the downloader's next try. */
export const REFUSAL_TTL_MS = 10 * 60_000;
/** Refusals kept at most; the oldest go first. */
export const MAX_REFUSALS = 1000;

/** The refusals of one node, each with why (`E`: the error its next try is answered). */
export class UploadRefusals<E> {
  /** `peer key \0 path` → when it lapses, and why; in insertion order, the first the oldest. */
  readonly #until = new Map<string, { until: number; why: E }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Refuses the next read of `path` by `peerKey`, for `why`. */
  refuse(peerKey: string, path: string, why: E): void {
    const key = `${peerKey}\0${path}`;
    this.#until.delete(key); // to the end: the newest
    this.#until.set(key, { until: this.#now() + REFUSAL_TTL_MS, why });
    while (this.#until.size > MAX_REFUSALS) this.#until.delete(this.#until.keys().next().value!);
  }

  /** Why (once) the read of `path` by `peerKey` is refused, else undefined; forgotten then. */
  take(peerKey: string, path: string): E | undefined {
    const key = `${peerKey}\0${path}`;
    const refusal = this.#until.get(key);
    if (refusal === undefined) return undefined;
    this.#until.delete(key);
    return refusal.until > this.#now() ? refusal.why : undefined;
  }

  /** Refusals held (lapsed ones included until they are taken or pushed out). */
  get size(): number {
    return this.#until.size;
  }
}
