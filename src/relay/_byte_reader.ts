/**
 * Exact-length reads from a byte stream whose chunks may be split or joined anywhere (a relay
 * copies bytes, not messages). It holds at most what one read asks for plus one chunk of the
 * stream, and copies each byte at most once.
 */

/** Reads exact byte counts from a stream of arbitrary chunks. */
export class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Bytes received and not yet read: above 0 after a failed read means the stream ended mid-way. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Reads exactly `n` bytes; undefined when the stream ends first. */
  async read(n: number): Promise<Uint8Array | undefined> {
    while (this.#buffered < n) {
      if (this.#ended) return undefined;
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        continue;
      }
      if (value.length === 0) continue;
      this.#chunks.push(value);
      this.#buffered += value.length;
    }
    return this.#take(n);
  }

  /** What is left, as a stream: the buffered bytes first, then the rest of the source. */
  rest(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const first = this.#chunks.shift();
        if (first) {
          this.#buffered -= first.length;
          return controller.enqueue(first);
        }
        if (this.#ended) return controller.close();
        const { value, done } = await this.#reader.read();
        if (done) {
          this.#ended = true;
          return controller.close();
        }
        controller.enqueue(value);
      },
      cancel: (reason) => this.cancel(reason),
    }, { highWaterMark: 0 });
  }

  /** Stops the source; further bytes are discarded. */
  async cancel(reason?: unknown): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    this.#ended = true;
    try {
      await this.#reader.cancel(reason);
    } catch {
      // already closed or errored
    }
  }

  /** Reads and drops the rest of the source, so that its end is consumed; never throws. */
  async drain(): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    try {
      while (!(await this.#reader.read()).done) {
        // bytes after the end of the session carry nothing
      }
    } catch {
      // reset by the other side: nothing was lost
    }
    this.#ended = true;
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(n - filled, chunk.length);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
    return out;
  }
}
