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

/** The refusals of one node. */
export class UploadRefusals {
  /** `peer key \0 path` → when it lapses; in insertion order, so the first is the oldest. */
  readonly #until = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Refuses the next read of `path` by `peerKey`. */
  refuse(peerKey: string, path: string): void {
    const key = `${peerKey}\0${path}`;
    this.#until.delete(key); // to the end: the newest
    this.#until.set(key, this.#now() + REFUSAL_TTL_MS);
    while (this.#until.size > MAX_REFUSALS) this.#until.delete(this.#until.keys().next().value!);
  }

  /** True (once) when the read of `path` by `peerKey` is refused; it is forgotten then. */
  take(peerKey: string, path: string): boolean {
    const key = `${peerKey}\0${path}`;
    const until = this.#until.get(key);
    if (until === undefined) return false;
    this.#until.delete(key);
    return until > this.#now();
  }

  /** Refusals held (lapsed ones included until they are taken or pushed out). */
  get size(): number {
    return this.#until.size;
  }
}
