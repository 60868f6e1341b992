/**
 * At most a few outbound dials at once: a dial to an address that does not answer costs its
 * timeout (10 s), and a burst of them — a restart with many peers, a flood of gossip — must not
 * turn the node into a packet cannon. Dials a person asked for go to the front of the line.
 */

/** How many dials may be in flight at once. */
export const MAX_DIALS = 8;

/** A line of dials, `max` at a time. */
export class DialLimit {
  readonly #max: number;
  #running = 0;
  #waiting: Array<() => void> = [];

  constructor(max = MAX_DIALS) {
    this.#max = max;
  }

  /** Runs `dial` once fewer than `max` run (`urgent`: ahead of the others waiting). */
  async run<T>(dial: () => Promise<T>, urgent = false): Promise<T> {
    if (this.#running < this.#max) {
      this.#running++;
    } else {
      // the place is handed over by the dial that ends: #running stays as it is
      await new Promise<void>((go) => urgent ? this.#waiting.unshift(go) : this.#waiting.push(go));
    }
    try {
      return await dial();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Dials in flight and waiting. */
  snapshot(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }
}
