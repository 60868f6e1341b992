/**
 * What a node serves at once, per peer and in total: past a budget a request is answered `BUSY`
 * at once rather than buffered, so no peer — however many streams it opens — can make the node
 * hold more than a fixed amount of memory and open files for it. Pure bookkeeping; serve.ts asks
 * it before routing a request, and the request gives its place back when it ends.
 */
import { hdpError } from "../wire/mod.ts";

/** What a request costs while it runs, by what it holds. */
export type RequestKind =
  /** `Ls`: an index cursor and a page of entries. */
  | "ls"
  /** A `Read` of at most 1 MiB: a buffer of the file's size, served at once. */
  | "small-read"
  /** A larger `Read`: an open file while it waits for an upload slot, a 1 MiB buffer in one. */
  | "large-read"
  /** An interactive `Read` of more than 1 MiB (played, previewed): skips the slot queue. */
  | "interactive-read"
  /** `ReadMany`: up to ~1.3 MiB of answers buffered. */
  | "read-many"
  /** `AnnouncePeer`: a signature check and perhaps a dial. */
  | "announce"
  /** `Befriend`: a record saved. */
  | "befriend";

/** How many requests of a kind run at once. */
export interface Limit {
  perPeer: number;
  total: number;
}

/**
 * The default budgets. Ours asks far less of a peer (8 files and 4 batches at once, one listing
 * per folder being fetched, a search per peer); the totals bound the memory: 64 small reads and
 * 64 batches are at most ~150 MiB of buffers; a recursive listing decodes its index chunks as it
 * goes (bench/listing_flood_bench.ts), so 32 run at once; large reads hold an open file each (the
 * upload slots bound their buffers).
 */
export const REQUEST_LIMITS: Readonly<Record<RequestKind, Limit>> = {
  "ls": { perPeer: 8, total: 32 },
  "small-read": { perPeer: 32, total: 64 },
  "large-read": { perPeer: 32, total: 256 },
  "read-many": { perPeer: 8, total: 64 },
  "interactive-read": { perPeer: 4, total: 32 },
  "announce": { perPeer: 8, total: 64 },
  "befriend": { perPeer: 1, total: 16 },
};

/** Counts the requests running, per kind and peer. */
export class RequestBudget {
  readonly #limits: Readonly<Record<RequestKind, Limit>>;
  readonly #total = new Map<RequestKind, number>();
  readonly #byPeer = new Map<string, number>();

  constructor(limits: Readonly<Record<RequestKind, Limit>> = REQUEST_LIMITS) {
    this.#limits = limits;
  }

  /**
   * Takes a place for a request of `kind` from `peer`; returns the function that gives it back
   * (once). Throws `BUSY` when the peer or the node has no room for another.
   */
  enter(peer: string, kind: RequestKind): () => void {
    const limit = this.#limits[kind];
    const key = `${kind} ${peer}`;
    const mine = this.#byPeer.get(key) ?? 0;
    const all = this.#total.get(kind) ?? 0;
    if (mine >= limit.perPeer) {
      throw hdpError(
        "BUSY",
        `Too many requests at once: ${limit.perPeer} of this kind (${kind}) from one peer run already`,
      );
    }
    if (all >= limit.total) {
      throw hdpError("BUSY", `This peer is busy: ${limit.total} requests of this kind run already`);
    }
    this.#byPeer.set(key, mine + 1);
    this.#total.set(kind, all + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const now = (this.#byPeer.get(key) ?? 1) - 1;
      if (now === 0) this.#byPeer.delete(key);
      else this.#byPeer.set(key, now);
      this.#total.set(kind, (this.#total.get(kind) ?? 1) - 1);
    };
  }

  /** How many requests of `kind` run, from `peer` or in all. */
  running(kind: RequestKind, peer?: string): number {
    return peer === undefined
      ? this.#total.get(kind) ?? 0
      : this.#byPeer.get(`${kind} ${peer}`) ?? 0;
  }
}
