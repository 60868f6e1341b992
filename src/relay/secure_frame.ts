/**
 * The relayed session's frames: AES-256-GCM with a 64-bit frame counter as the nonce, one key per
 * direction. A frame is a 13-byte header (kind, counter, plaintext length), the ciphertext and the
 * 16-byte tag; the header is the additional data, so the relay can change none of it. The counter
 * must be the next one due, so a replayed, reordered or dropped frame is refused, and an
 * authenticated end frame tells a proper close from a stream the relay cut short.
 */
import { hdpError } from "../wire/mod.ts";
import { concat } from "./_bytes.ts";

/** The most plaintext one frame carries. */
export const MAX_PLAINTEXT = 64 * 1024;
/** Bytes of a frame's header: kind (1), counter (8, big-endian), plaintext length (4, big-endian). */
export const HEADER_BYTES = 13;
/** Bytes of the AES-GCM tag after the ciphertext. */
export const TAG_BYTES = 16;
/**
 * Frames one direction may carry, the end frame included; counters run 0 … 2^32 − 1. Far below
 * the 64-bit nonce space, and within AES-GCM's usage limits for one key at 64 KiB a frame.
 */
export const MAX_FRAMES = 2 ** 32;

/** Kind bytes: `0` data, `1` end of the session (no plaintext). */
export const FRAME_KINDS = { data: 0x00, end: 0x01 } as const;

/** What {@link FrameOpener.open} found in a frame. */
export type OpenedFrame = { kind: "data"; plaintext: Uint8Array } | { kind: "end" };

/** Options of {@link FrameSealer} and {@link FrameOpener}. */
export interface FrameCounterOptions {
  /** The first frame's counter; default 0. Tests start near the limit: never reuse a counter. */
  counter?: number;
}

/** Imports a raw 32-byte direction key for sealing (`encrypt`) or opening (`decrypt`). */
export async function importFrameKey(
  raw: Uint8Array,
  usage: "encrypt" | "decrypt",
): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, [usage]);
}

/** Seals the frames of one direction; frames must go out in the order they were sealed. */
export class FrameSealer {
  readonly #key: CryptoKey;
  #counter: number;
  #ended = false;

  constructor(key: CryptoKey, options: FrameCounterOptions = {}) {
    this.#key = key;
    this.#counter = options.counter ?? 0;
  }

  /** Frames sealed so far (the next frame's counter). */
  get sent(): number {
    return this.#counter;
  }

  /** Seals up to {@link MAX_PLAINTEXT} bytes as a data frame. */
  async seal(plaintext: Uint8Array): Promise<Uint8Array> {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw hdpError("TOO_LARGE", `A relayed frame carries at most ${MAX_PLAINTEXT} bytes`);
    }
    // the last counter is kept for the end frame
    if (this.#counter >= MAX_FRAMES - 1) {
      throw hdpError(
        "TOO_LARGE",
        `The relayed session has sent ${this.#counter} frames, its limit: open a new circuit`,
      );
    }
    return await this.#seal("data", plaintext);
  }

  /** Seals the end frame; nothing can be sealed after it. */
  async end(): Promise<Uint8Array> {
    return await this.#seal("end", new Uint8Array(0));
  }

  async #seal(kind: keyof typeof FRAME_KINDS, plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.#ended) {
      throw hdpError("INTERNAL", "The relayed session has ended: nothing more to send");
    }
    if (kind === "end") this.#ended = true;
    const counter = this.#counter++; // taken before the await: frames keep the order of the calls
    const header = frameHeader(FRAME_KINDS[kind], counter, plaintext.length);
    const sealed = await crypto.subtle.encrypt(
      {
        name: "AES-GCM",
        iv: nonce(counter),
        additionalData: header as BufferSource,
        tagLength: TAG_BYTES * 8,
      },
      this.#key,
      plaintext as BufferSource,
    );
    return concat(header, new Uint8Array(sealed));
  }
}

/**
 * Opens the frames of one direction, in order: first {@link bodyLength} of a header, then
 * {@link open} of that header with the body read after it. After one failure every call fails.
 */
export class FrameOpener {
  readonly #key: CryptoKey;
  #counter: number;
  #ended = false;
  #failure: Error | undefined;

  constructor(key: CryptoKey, options: FrameCounterOptions = {}) {
    this.#key = key;
    this.#counter = options.counter ?? 0;
  }

  /** Frames opened so far (the counter due next). */
  get received(): number {
    return this.#counter;
  }

  /** Whether the end frame has been opened. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Checks a 13-byte header; returns the bytes of ciphertext and tag that follow it. */
  bodyLength(header: Uint8Array): number {
    return this.#guard(() => this.#check(header) + TAG_BYTES);
  }

  /** Opens a frame: its header and the {@link bodyLength} bytes after it. */
  async open(header: Uint8Array, body: Uint8Array): Promise<OpenedFrame> {
    const length = this.#guard(() => this.#check(header));
    const n = this.#counter;
    if (body.length !== length + TAG_BYTES) {
      throw this.#fail(`Relayed frame ${n} is ${body.length} bytes, not ${length + TAG_BYTES}`);
    }
    let plaintext: Uint8Array;
    try {
      plaintext = new Uint8Array(
        await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: nonce(n),
            additionalData: header as BufferSource,
            tagLength: TAG_BYTES * 8,
          },
          this.#key,
          body as BufferSource,
        ),
      );
    } catch (error) {
      throw this.#fail(`Relayed frame ${n} failed authentication`, error);
    }
    this.#counter++;
    if (header[0] === FRAME_KINDS.end) {
      this.#ended = true;
      return { kind: "end" };
    }
    return { kind: "data", plaintext };
  }

  /** Validates a header against the frame due; returns its plaintext length. */
  #check(header: Uint8Array): number {
    const n = this.#counter;
    if (header.length !== HEADER_BYTES) {
      throw this.#fail(`Relayed frame ${n} has a header of ${header.length} bytes`);
    }
    if (this.#ended) throw this.#fail(`Relayed frame ${n} came after the end of the session`);
    if (n >= MAX_FRAMES) {
      throw this.#fail(`Relayed frame ${n} is past the session's limit of ${MAX_FRAMES} frames`);
    }
    const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
    const kind = view.getUint8(0);
    const counter = view.getBigUint64(1);
    const length = view.getUint32(9);
    if (counter < BigInt(n)) {
      throw this.#fail(`Relayed frame ${counter} came again where frame ${n} was due: a replay`);
    }
    if (counter > BigInt(n)) {
      throw this.#fail(
        `Relayed frame ${counter} came where frame ${n} was due: a frame was dropped or reordered`,
      );
    }
    if (kind !== FRAME_KINDS.data && kind !== FRAME_KINDS.end) {
      throw this.#fail(`Relayed frame ${n} is of unknown kind ${kind}`);
    }
    if (length > MAX_PLAINTEXT) {
      throw this.#fail(
        `Relayed frame ${n} declares ${length} bytes, over the ${MAX_PLAINTEXT} byte limit`,
      );
    }
    if (kind === FRAME_KINDS.end && length !== 0) {
      throw this.#fail(`Relayed frame ${n} ends the session but carries ${length} bytes`);
    }
    return length;
  }

  #guard<T>(step: () => T): T {
    if (this.#failure) throw this.#failure;
    return step();
  }

  #fail(message: string, cause?: unknown): Error {
    this.#failure ??= hdpError("PROTOCOL", message, cause);
    return this.#failure;
  }
}

/** A frame's header: kind ‖ counter (64-bit big-endian) ‖ plaintext length (32-bit big-endian). */
function frameHeader(kind: number, counter: number, length: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint8(0, kind);
  view.setBigUint64(1, BigInt(counter));
  view.setUint32(9, length);
  return header;
}

/** The 12-byte AES-GCM nonce: four zero bytes ‖ the counter, 64-bit big-endian. */
function nonce(counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setBigUint64(4, BigInt(counter));
  return iv;
}
