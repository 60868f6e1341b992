/**
 * Framing: each message is a 4-byte big-endian length and that many bytes of CBOR. A frame larger
 * than the cap is refused before it is read. After the frames of a `Read` answer, the stream
 * carries raw file bytes until its end.
 */
import { decodeCbor, encodeCbor } from "./codec.ts";
import { hdpError } from "./errors.ts";

/** The largest frame accepted or sent. */
export const MAX_FRAME = 1024 * 1024;

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /**
   * Room for this many raw bytes after the frame, in the same array: a small file's header and
   * its bytes then cost one allocation and one write. Default 0.
   */
  followedBy?: number;
}

/** Encodes a message as one frame (with room for the raw bytes that follow it, if asked). */
export function encodeFrame(message: unknown, options: EncodeFrameOptions = {}): Uint8Array {
  const body = encodeCbor(message);
  if (body.length > MAX_FRAME) {
    throw hdpError("TOO_LARGE", "The message is larger than a frame may be");
  }
  const frame = new Uint8Array(4 + body.length + (options.followedBy ?? 0));
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Reads frames, then raw bytes, from one stream. */
export class FrameReader {
  readonly #stream: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #buffer: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #ended = false;
  #lastFrameBytes = 0;

  /** The size of the last frame read, its length prefix included (for the traffic meters). */
  get lastFrameBytes(): number {
    return this.#lastFrameBytes;
  }

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#stream = stream;
  }

  /**
   * Reads one frame and decodes it. Returns undefined at a clean end of stream before any byte
   * of a frame; throws `PROTOCOL` for a truncated frame and `TOO_LARGE` for one over `maxBytes`.
   * A message with text that is not valid UTF-8 comes back as a value every parse function
   * refuses (`BAD_REQUEST` for a request, `PROTOCOL` for an answer).
   */
  async readFrame(maxBytes: number = MAX_FRAME): Promise<unknown> {
    if (!(await this.#fill(4))) {
      if (this.#available() === 0) return undefined;
      throw hdpError("PROTOCOL", "The stream ended inside a frame header");
    }
    const length = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#offset, 4)
      .getUint32(0);
    if (length > maxBytes) {
      throw hdpError("TOO_LARGE", `A frame of ${length} bytes is over the ${maxBytes} byte limit`);
    }
    if (!(await this.#fill(4 + length))) {
      throw hdpError("PROTOCOL", "The stream ended inside a frame");
    }
    const body = this.#buffer.subarray(this.#offset + 4, this.#offset + 4 + length);
    this.#offset += 4 + length;
    this.#lastFrameBytes = 4 + length;
    return decodeCbor(body);
  }

  /**
   * Reads exactly `n` raw bytes into a new array (the bytes of one file of a `ReadMany`).
   * Throws `PROTOCOL` when the stream ends first.
   */
  async readBytes(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = Math.min(n, this.#available());
    out.set(this.#buffer.subarray(this.#offset, this.#offset + filled));
    this.#offset += filled;
    while (filled < n) {
      if (this.#ended) throw hdpError("PROTOCOL", "The stream ended inside a file's bytes");
      this.#reader ??= this.#stream.getReader();
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        continue;
      }
      const take = Math.min(n - filled, value.length);
      out.set(value.subarray(0, take), filled);
      filled += take;
      // what is left over belongs to the next frame
      this.#buffer = value.subarray(take);
      this.#offset = 0;
    }
    return out;
  }

  /**
   * The rest of the stream as raw chunks. Bytes already buffered come first; after them, reads go
   * straight to the stream (`bufferSize` bytes at most each, BYOB where the stream supports it).
   * A chunk stays valid while the next one is read, and is overwritten by the one after: a
   * consumer may overlap writing chunk n with reading chunk n + 1, no further.
   */
  async *raw(bufferSize = 256 * 1024): AsyncGenerator<Uint8Array> {
    if (this.#available() > 0) {
      const rest = this.#buffer.subarray(this.#offset);
      this.#offset = this.#buffer.length;
      yield rest;
    }
    if (this.#ended) return;
    this.#reader?.releaseLock();
    this.#reader = undefined;
    let byob: ReadableStreamBYOBReader | undefined;
    try {
      byob = this.#stream.getReader({ mode: "byob" });
    } catch {
      // not a byte stream: plain reads
    }
    if (!byob) {
      const reader = this.#stream.getReader();
      this.#reader = reader;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        yield value;
      }
    }
    try {
      // Two buffers in turn: the consumer may still be writing chunk n (to disk) while chunk
      // n + 1 is read into the other one.
      const buffers = [new ArrayBuffer(bufferSize), new ArrayBuffer(bufferSize)];
      for (let turn = 0;; turn ^= 1) {
        const { value, done } = await byob.read(new Uint8Array(buffers[turn]!));
        if (done) return;
        buffers[turn] = value.buffer; // a BYOB read hands its buffer back as a new object
        yield value;
      }
    } finally {
      byob.releaseLock();
    }
  }

  /** Stops reading; the peer's further bytes are discarded. */
  async cancel(reason?: unknown): Promise<void> {
    try {
      if (this.#reader) await this.#reader.cancel(reason);
      else await this.#stream.cancel(reason);
    } catch {
      // already closed
    }
  }

  #available(): number {
    return this.#buffer.length - this.#offset;
  }

  /** Buffers until `n` bytes are available; false when the stream ends first. */
  async #fill(n: number): Promise<boolean> {
    while (this.#available() < n) {
      if (this.#ended) return false;
      this.#reader ??= this.#stream.getReader();
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        return false;
      }
      const rest = this.#buffer.subarray(this.#offset);
      const merged = new Uint8Array(rest.length + value.length);
      merged.set(rest);
      merged.set(value, rest.length);
      this.#buffer = merged;
      this.#offset = 0;
    }
    return true;
  }
}
