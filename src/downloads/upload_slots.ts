/**
 * Upload slots: a node serves a limited number of large reads at once and queues the rest fairly
 * across peers: the next slot goes to the waiting peer with the fewest uploads running, then the
 * one served least recently, and each peer's own requests keep their order. Queued requesters
 * hear their position whenever it changes; one that leaves gives up its place at once.
 *
 * No peer keeps the others waiting: while another peer waits, one peer holds at most all slots
 * but one (with 2 or more slots), so a peer that took every slot while it was alone yields its
 * newest one ({@link UploadSlot.yielded}); and each peer, and the node, may queue only so many.
 */
import { HdpError, hdpError } from "../wire/mod.ts";

/** How many peers' last service is remembered for fairness. */
const SERVED_MEMORY = 1024;

interface Waiter {
  peer: string;
  since: number;
  seq: number;
  grant: () => void;
  onPosition: (position: number) => void;
  position: number;
}

/** A slot granted: give it back with `release` (once; more calls do nothing). */
export interface UploadSlot {
  release(): void;
  /**
   * Aborted, with a `BUSY` error as its reason, when this upload should end to let another peer
   * have the slot: its peer held every slot while another peer waited.
   */
  readonly yielded: AbortSignal;
}

/** How many reads may wait for a slot: from one peer, and in all. */
export const MAX_QUEUED = { perPeer: 32, total: 256 } as const;

/** Counts for the API. */
export interface SlotsSnapshot {
  active: number;
  queued: number;
}

/** A fair queue in front of a fixed number of upload slots. */
export class UploadSlots {
  #slots: number;
  readonly #active = new Map<string, number>();
  /** The slots running, oldest first, to find the one a peer yields. */
  #granted: Array<{ peer: string; yielded: AbortController }> = [];
  /**
   * When each peer was last given a slot (a counter): served peers go to the back. Bounded: the
   * oldest entries are dropped past {@link SERVED_MEMORY} (they would go first anyway).
   */
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
   * it changes. Resolves with the slot; rejects with `UNAVAILABLE` if `signal` aborts first (the
   * requester left), freeing its place, and with `BUSY` at once when the peer, or the node, has
   * {@link MAX_QUEUED} reads waiting already.
   */
  acquire(
    peer: string,
    onPosition: (position: number) => void,
    signal?: AbortSignal,
  ): Promise<UploadSlot> {
    if (signal?.aborted) return Promise.reject(hdpError("UNAVAILABLE", "The requester left"));
    if (this.#running < this.#slots && this.#waiting.length === 0) {
      return Promise.resolve(this.#take(peer));
    }
    if (this.#waiting.length >= MAX_QUEUED.total) {
      return Promise.reject(
        hdpError("BUSY", `${MAX_QUEUED.total} reads wait for an upload slot already: try later`),
      );
    }
    if (this.#waiting.filter((w) => w.peer === peer).length >= MAX_QUEUED.perPeer) {
      return Promise.reject(
        hdpError("BUSY", `${MAX_QUEUED.perPeer} of your reads wait for an upload slot already`),
      );
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
      this.#yieldIfHogged();
      this.#update();
    });
  }

  /**
   * Changes the number of slots: more start waiting uploads at once; fewer let the running ones
   * finish and hold back the next. Throws `BAD_REQUEST` below 1.
   */
  setSlots(slots: number): void {
    if (!Number.isInteger(slots) || slots < 1) {
      throw hdpError("BAD_REQUEST", "Upload slots must be 1 or more");
    }
    this.#slots = slots;
    this.#update();
  }

  /** How many uploads run and wait. */
  snapshot(): SlotsSnapshot {
    return { active: this.#running, queued: this.#waiting.length };
  }

  /** The order in which waiters will be served (exposed for tests). */
  order(): string[] {
    return this.#ordered().map((w) => w.peer);
  }

  #take(peer: string): UploadSlot {
    this.#running++;
    this.#served.delete(peer); // re-inserted last: the map's order is the order of service
    this.#served.set(peer, this.#seq++);
    if (this.#served.size > SERVED_MEMORY) this.#served.delete(this.#served.keys().next().value!);
    this.#active.set(peer, (this.#active.get(peer) ?? 0) + 1);
    const grant = { peer, yielded: new AbortController() };
    this.#granted.push(grant);
    let released = false;
    return {
      yielded: grant.yielded.signal,
      release: () => {
        if (released) return;
        released = true;
        this.#running--;
        this.#granted = this.#granted.filter((g) => g !== grant);
        const left = (this.#active.get(peer) ?? 1) - 1;
        if (left === 0) this.#active.delete(peer);
        else this.#active.set(peer, left);
        this.#update();
      },
    };
  }

  /**
   * A peer holding every slot while another peer waits yields its newest (not yet asked to): the
   * slot is free once that upload has ended. With one slot there is nothing to share.
   */
  #yieldIfHogged(): void {
    if (this.#slots < 2) return;
    const running = this.#granted.filter((g) => !g.yielded.signal.aborted);
    const hog = running[0]?.peer;
    if (hog === undefined || running.length < this.#slots) return;
    if (running.some((g) => g.peer !== hog)) return;
    if (!this.#waiting.some((w) => w.peer !== hog)) return;
    running.at(-1)!.yielded.abort(
      hdpError("BUSY", "Another peer waits for an upload slot: this one goes to it"),
    );
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
