/**
 * Upload slots: a node serves a limited number of large reads at once and queues the rest fairly
 * across peers: the next slot goes to the waiting peer with the fewest uploads running, then the
 * one served least recently, and each peer's own requests keep their order. Queued requesters
 * hear their position whenever it changes; one that leaves gives up its place at once.
 */
import { HdpError, hdpError } from "../wire/mod.ts";

interface Waiter {
  peer: string;
  since: number;
  seq: number;
  grant: () => void;
  onPosition: (position: number) => void;
  position: number;
}

/** Counts for the API. */
export interface SlotsSnapshot {
  active: number;
  queued: number;
}

/** A fair queue in front of a fixed number of upload slots. */
export class UploadSlots {
  readonly #slots: number;
  readonly #active = new Map<string, number>();
  /** When each peer was last given a slot (a counter): served peers go to the back. */
  readonly #served = new Map<string, number>();
  #waiting: Waiter[] = [];
  #running = 0;
  #seq = 0;

  constructor(slots: number) {
    if (!Number.isInteger(slots) || slots < 1) {
      throw hdpError("BAD_REQUEST", "Upload slots must be 1 or more");
    }
    this.#slots = slots;
  }

  /**
   * Waits for a slot for `peer`. `onPosition` hears the place in the queue (1 is next) each time
   * it changes. Resolves with the release function; rejects with `UNAVAILABLE` if `signal` aborts
   * first (the requester left), freeing its place.
   */
  acquire(
    peer: string,
    onPosition: (position: number) => void,
    signal?: AbortSignal,
  ): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(hdpError("UNAVAILABLE", "The requester left"));
    if (this.#running < this.#slots && this.#waiting.length === 0) {
      return Promise.resolve(this.#take(peer));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        peer,
        since: Date.now(),
        seq: this.#seq++,
        position: 0,
        onPosition,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#take(peer));
        },
      };
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        // the reason when it is one of ours (the owner cancelled), else the requester left
        reject(
          signal?.reason instanceof HdpError
            ? signal.reason
            : hdpError("UNAVAILABLE", "The requester left"),
        );
        this.#update();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#update();
    });
  }

  /** How many uploads run and wait. */
  snapshot(): SlotsSnapshot {
    return { active: this.#running, queued: this.#waiting.length };
  }

  /** The order in which waiters will be served (exposed for tests). */
  order(): string[] {
    return this.#ordered().map((w) => w.peer);
  }

  #take(peer: string): () => void {
    this.#running++;
    this.#served.set(peer, this.#seq++);
    this.#active.set(peer, (this.#active.get(peer) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      const left = (this.#active.get(peer) ?? 1) - 1;
      if (left === 0) this.#active.delete(peer);
      else this.#active.set(peer, left);
      this.#update();
    };
  }

  /** Serves whoever is next while slots are free, then tells the rest their new positions. */
  #update(): void {
    while (this.#running < this.#slots && this.#waiting.length > 0) {
      const next = this.#ordered()[0]!;
      this.#waiting = this.#waiting.filter((w) => w !== next);
      next.grant();
    }
    this.#ordered().forEach((waiter, i) => {
      if (waiter.position !== i + 1) {
        waiter.position = i + 1;
        waiter.onPosition(i + 1);
      }
    });
  }

  /** Round robin over peers: fewest running uploads first, then the longest waiting. */
  #ordered(): Waiter[] {
    const byPeer = new Map<string, Waiter[]>();
    for (const waiter of [...this.#waiting].sort((a, b) => a.seq - b.seq)) {
      const list = byPeer.get(waiter.peer) ?? [];
      list.push(waiter);
      byPeer.set(waiter.peer, list);
    }
    const peers = [...byPeer.entries()].sort(([a, wa], [b, wb]) =>
      (this.#active.get(a) ?? 0) - (this.#active.get(b) ?? 0) ||
      (this.#served.get(a) ?? -1) - (this.#served.get(b) ?? -1) ||
      wa[0]!.seq - wb[0]!.seq
    );
    const out: Waiter[] = [];
    for (let round = 0; out.length < this.#waiting.length; round++) {
      for (const [, list] of peers) if (list[round]) out.push(list[round]!);
    }
    return out;
  }
}
