/**
 * A rate over a moving window: bytes counted as they arrive, sampled with the time of each sample,
 * the rate being the bytes of the last few seconds over the time they really took. No I/O: the
 * caller passes the time, so a late timer (a busy event loop) does not skew it.
 */

/** The window the rate is measured over, in ms. Default of {@link RateWindow}. */
export const RATE_WINDOW_MS = 3000;

/** One sample: the running total of bytes at a time (ms). */
interface Sample {
  at: number;
  total: number;
}

/** Bytes a second over the last `windowMs`. */
export class RateWindow {
  readonly #windowMs: number;
  #total = 0;
  #samples: Sample[] = [];

  /** `windowMs`: how far back the rate looks (default {@link RATE_WINDOW_MS}). */
  constructor(windowMs: number = RATE_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** Counts bytes that arrived. */
  add(bytes: number): void {
    this.#total += bytes;
  }

  /** Bytes counted in all. */
  get total(): number {
    return this.#total;
  }

  /** Takes a sample at `now` and answers the rate since the oldest sample still in the window. */
  sample(now: number): number {
    this.#samples.push({ at: now, total: this.#total });
    // keep one sample at or before the window's start: the window is then covered whole
    while (this.#samples.length > 2 && this.#samples[1]!.at <= now - this.#windowMs) {
      this.#samples.shift();
    }
    const first = this.#samples[0]!;
    const elapsed = now - first.at;
    if (elapsed <= 0) return 0;
    return (this.#total - first.total) * 1000 / elapsed;
  }

  /** Forgets the past: the next rate starts from `now` (a transfer starts after a pause). */
  restart(now: number): void {
    this.#samples = [{ at: now, total: this.#total }];
  }
}
