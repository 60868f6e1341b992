/**
 * Whether this node relays a circuit: relaying on, under the cap of circuits at once, and only
 * between two peers it is itself connected to. Pure (the caller says who is connected), so the
 * policy is tested without sockets.
 */
import { HdpError, hdpError } from "../wire/mod.ts";

/** The circuits a node relays at once by default. */
export const MAX_CIRCUITS = 16;

/** Options of {@link RelayGate}. */
export interface RelayGateOptions {
  /** Whether to relay at all (`--relay on|off`). Default on. */
  enabled?: boolean;
  /** Circuits at once. Default {@link MAX_CIRCUITS}. */
  maxCircuits?: number;
}

/** Counts the circuits in flight and refuses the ones the policy does not allow. */
export class RelayGate {
  readonly #enabled: boolean;
  readonly #max: number;
  #active = 0;

  constructor(options: RelayGateOptions = {}) {
    this.#enabled = options.enabled ?? true;
    this.#max = options.maxCircuits ?? MAX_CIRCUITS;
  }

  /** Circuits at once at most. */
  get max(): number {
    return this.#max;
  }

  /** Circuits in flight. */
  get active(): number {
    return this.#active;
  }

  /**
   * Takes a place for a circuit from `fromHex` to `toHex`; returns its release. Throws
   * `FORBIDDEN` (relaying off), `NOT_FOUND` (not connected to the target, or the target is the
   * requester), `BUSY` (at the cap).
   */
  enter(fromHex: string, toHex: string, connected: boolean): () => void {
    const refusal = this.#refusal(fromHex, toHex, connected);
    if (refusal) throw refusal;
    this.#active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#active--;
    };
  }

  #refusal(fromHex: string, toHex: string, connected: boolean): HdpError | undefined {
    if (!this.#enabled) return hdpError("FORBIDDEN", "This node does not relay");
    if (!connected || fromHex === toHex) return hdpError("NOT_FOUND", "Not connected to that peer");
    if (this.#active >= this.#max) {
      return hdpError("BUSY", `This node relays ${this.#max} circuits at once already`);
    }
    return undefined;
  }
}
