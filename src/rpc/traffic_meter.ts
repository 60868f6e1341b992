/**
 * Bytes counted per second over the last minutes, pure (the clock is passed in): the rate now for
 * `transfers`, `info` and the UI, and the seconds before it for the UI's graph.
 */

/** Seconds of history kept. */
export const HISTORY_S = 300;

/** Counts bytes in one-second slots. */
export class TrafficMeter {
  readonly #slots = new Float64Array(HISTORY_S);
  /** The second (since the epoch) of the newest slot. */
  #second = 0;
  #total = 0;

  /** Counts `bytes` at `now` (ms since the epoch). */
  add(bytes: number, now: number): void {
    this.#advance(now);
    this.#slots[this.#second % HISTORY_S]! += bytes;
    this.#total += bytes;
  }

  /** Bytes counted since the meter was made. */
  get total(): number {
    return this.#total;
  }

  /** Bytes a second over the two whole seconds before `now`. */
  rate(now: number): number {
    this.#advance(now);
    const a = this.#slots[(this.#second - 1 + HISTORY_S) % HISTORY_S]!;
    const b = this.#slots[(this.#second - 2 + HISTORY_S) % HISTORY_S]!;
    return Math.round((a + b) / 2);
  }

  /** Bytes of each whole second of the last `seconds` before `now`, oldest first. */
  history(now: number, seconds = 60): number[] {
    this.#advance(now);
    const n = Math.min(seconds, HISTORY_S - 1);
    const out: number[] = [];
    for (let i = n; i >= 1; i--) out.push(this.#slots[(this.#second - i + HISTORY_S) % HISTORY_S]!);
    return out;
  }

  #advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.#second === 0) this.#second = second;
    if (second <= this.#second) return;
    const steps = Math.min(second - this.#second, HISTORY_S);
    for (let i = 1; i <= steps; i++) this.#slots[(this.#second + i) % HISTORY_S] = 0;
    this.#second = second;
  }
}
