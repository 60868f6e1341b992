/**
 * A token bucket with debt, pure (the clock is passed in): it fills at `rate` bytes a second up to
 * a burst, and a grant may take more than it holds, leaving it in debt until it fills again. Debt
 * lets a 1 MiB chunk pass under a 100 KB/s limit (it then waits ten seconds) without splitting
 * every write, and keeps the average exact whatever the chunk sizes.
 */

/** How much a bucket holds when full: this long at its rate (and at least one 64 KiB write). */
export const BURST_MS = 100;
const MIN_BURST = 64 * 1024;

/** One bucket; `rate` 0 means unlimited. */
export class TokenBucket {
  #rate: number;
  #tokens: number;
  #at: number;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#tokens = this.#burst();
    this.#at = now;
  }

  /** Bytes a second; 0: unlimited. */
  get rate(): number {
    return this.#rate;
  }

  /** A new rate, from `now` on: what was earned at the old rate is kept, up to the new burst. */
  setRate(rate: number, now: number): void {
    this.#fill(now);
    this.#rate = rate;
    this.#tokens = Math.min(this.#tokens, this.#burst());
    if (rate === 0) this.#tokens = 0;
  }

  /** How long from `now` until a grant may be made (0: now). */
  waitMs(now: number): number {
    if (this.#rate === 0) return 0;
    this.#fill(now);
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#rate) * 1000);
  }

  /** Takes `bytes` (the bucket may go into debt). */
  take(bytes: number, now: number): void {
    if (this.#rate === 0) return;
    this.#fill(now);
    this.#tokens -= bytes;
  }

  #fill(now: number): void {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    if (this.#rate === 0) return;
    this.#tokens = Math.min(this.#burst(), this.#tokens + (elapsed * this.#rate) / 1000);
  }

  #burst(): number {
    return this.#rate === 0 ? 0 : Math.max(MIN_BURST, (this.#rate * BURST_MS) / 1000);
  }
}
