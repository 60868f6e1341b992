/**
 * The order of the download queue: items by their `order` (smaller first), with append and
 * move-to-front. A small type of its own, apart from what fetches the items.
 */

/** What the queue needs of an entry: an id and a place, which it may change. */
export interface Ordered {
  readonly id: string;
  order: number;
}

/** Entries in queue order. */
export class Queue<T> {
  readonly #entries = new Map<string, T>();
  readonly #orderOf: (entry: T) => Ordered;
  #sorted: T[] | undefined;

  /** `orderOf` gives the record whose `order` places the entry (it is changed in place). */
  constructor(orderOf: (entry: T) => Ordered) {
    this.#orderOf = orderOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Adds an entry at the place its record already has (one loaded from the wishlist). */
  insert(entry: T): void {
    this.#entries.set(this.#orderOf(entry).id, entry);
    this.#sorted = undefined;
  }

  /** Adds an entry after all others. */
  append(entry: T): void {
    const last = this.ordered().at(-1);
    this.#orderOf(entry).order = last === undefined ? 0 : this.#orderOf(last).order + 1;
    this.insert(entry);
  }

  /** Moves an entry before all others. */
  bringToFront(id: string): void {
    const entry = this.#entries.get(id);
    const first = this.ordered()[0];
    if (entry === undefined || first === undefined || first === entry) return;
    this.#orderOf(entry).order = this.#orderOf(first).order - 1;
    this.#sorted = undefined;
  }

  get(id: string): T | undefined {
    return this.#entries.get(id);
  }

  delete(id: string): boolean {
    this.#sorted = undefined;
    return this.#entries.delete(id);
  }

  /** Every entry, first to last (do not change the array). */
  ordered(): readonly T[] {
    this.#sorted ??= [...this.#entries.values()].sort((a, b) =>
      this.#orderOf(a).order - this.#orderOf(b).order
    );
    return this.#sorted;
  }

  /** The place of `entry` (1 is next) among the entries `counts` keeps, or 0 when not among them. */
  position(entry: T, counts: (entry: T) => boolean): number {
    let place = 0;
    for (const other of this.ordered()) {
      if (!counts(other)) continue;
      place++;
      if (other === entry) return place;
    }
    return 0;
  }
}
