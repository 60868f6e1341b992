/**
 * Test helpers: a relay in memory (two byte pipes that a test may re-chunk, tamper with or cut),
 * and the fixed keys of the known-answer vectors (RFC 8032 and RFC 7748 test keys).
 */
import { fromHex, type Identity } from "../transport/mod.ts";
import { identityFromPkcs8 } from "../transport/mod.ts";
import { concat } from "./_bytes.ts";
import type { Duplex } from "./duplex.ts";
import { type EphemeralKey, ephemeralKeyFromSecret } from "./ephemeral_key.ts";

/** What the relay does with one chunk going one way: by default it passes it on. */
export type Tap =
  & ((chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) => void)
  & {
    /** Called when the stream closes, for bytes the tap still holds. */
    flush?: (controller: TransformStreamDefaultController<Uint8Array>) => void;
  };

/** Both ends of a relayed circuit, and what went through the relay each way. */
export interface RelayedPair {
  a: Duplex;
  c: Duplex;
  /** Every byte that left A towards C, as the relay saw it. */
  seenToC: () => Uint8Array;
  /** Every byte that left C towards A. */
  seenToA: () => Uint8Array;
}

/** Joins two ends through a relay that applies `toC` and `toA` to what passes. */
export function relayedPair(options: { toC?: Tap; toA?: Tap } = {}): RelayedPair {
  const seen = { toC: [] as Uint8Array[], toA: [] as Uint8Array[] };
  const pipe = (tap: Tap | undefined, log: Uint8Array[]): TransformStream<Uint8Array, Uint8Array> =>
    new TransformStream({
      transform(chunk, controller) {
        log.push(chunk.slice());
        (tap ?? ((c, k) => k.enqueue(c)))(chunk, controller);
      },
      flush(controller) {
        tap?.flush?.(controller);
      },
    });
  const toC = pipe(options.toC, seen.toC);
  const toA = pipe(options.toA, seen.toA);
  return {
    a: { readable: toA.readable, writable: toC.writable },
    c: { readable: toC.readable, writable: toA.writable },
    seenToC: () => concat(...seen.toC),
    seenToA: () => concat(...seen.toA),
  };
}

/**
 * A tap that splits chunks at random places and joins some with the next chunk (a seeded
 * generator: runs repeat). Bytes held back go out on the next turn of the event loop when no
 * chunk came to join them, as a relay that coalesces would do after a short wait.
 */
export function rechunk(seed: number): Tap {
  let state = seed >>> 0 || 1;
  const random = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  let held: Uint8Array = new Uint8Array(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = (controller: TransformStreamDefaultController<Uint8Array>): void => {
    clearTimeout(timer);
    if (held.length === 0) return;
    try {
      controller.enqueue(held);
    } catch {
      // the far end stopped reading
    }
    held = new Uint8Array(0);
  };
  const tap: Tap = (chunk, controller) => {
    clearTimeout(timer);
    let bytes = concat(held, chunk);
    while (bytes.length > 0 && random(4) !== 0) {
      const size = 1 + random(Math.min(bytes.length, 1 + random(3) * 20_000));
      controller.enqueue(bytes.slice(0, size));
      bytes = bytes.subarray(size);
    }
    held = bytes.slice();
    if (held.length > 0) timer = setTimeout(() => release(controller), 0);
  };
  tap.flush = release;
  return tap;
}

/** A tap that changes the byte at `offset` of the whole stream (xor `mask`). */
export function flipByteAt(offset: number, mask = 0x01): Tap {
  let seen = 0;
  return (chunk, controller) => {
    const copy = chunk.slice();
    if (offset >= seen && offset < seen + copy.length) copy[offset - seen]! ^= mask;
    seen += copy.length;
    controller.enqueue(copy);
  };
}

/** A tap that passes the first `bytes` bytes, then closes the stream (a relay that gives up). */
export function cutAfter(bytes: number): Tap {
  let seen = 0;
  return (chunk, controller) => {
    const take = Math.max(0, Math.min(chunk.length, bytes - seen));
    if (take > 0) controller.enqueue(chunk.slice(0, take));
    seen += chunk.length;
    if (seen >= bytes) controller.terminate();
  };
}

/** Reads a stream to its end. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return concat(...parts);
}

/** Bytes from hex, for vectors. */
export function hex(text: string): Uint8Array {
  const bytes = fromHex(text.replace(/\s+/g, ""));
  if (!bytes) throw new Error(`Not hex: ${text}`);
  return bytes;
}

const ED25519_PKCS8_PREFIX = "302e020100300506032b657004220420";

/** The ed25519 key of RFC 8032 test 1 (the initiator of the vectors). */
export function initiatorIdentity(): Promise<Identity> {
  return identityFromPkcs8(
    hex(ED25519_PKCS8_PREFIX + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
  );
}

/** The ed25519 key of RFC 8032 test 2 (the responder of the vectors). */
export function responderIdentity(): Promise<Identity> {
  return identityFromPkcs8(
    hex(ED25519_PKCS8_PREFIX + "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
  );
}

/** Alice's X25519 key of RFC 7748 section 6.1 (the initiator's ephemeral key in the vectors). */
export function initiatorEphemeral(): Promise<EphemeralKey> {
  return ephemeralKeyFromSecret(
    hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
  );
}

/** Bob's X25519 key of RFC 7748 section 6.1 (the responder's ephemeral key in the vectors). */
export function responderEphemeral(): Promise<EphemeralKey> {
  return ephemeralKeyFromSecret(
    hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
  );
}

/** The circuit id of the vectors: bytes 0x00 to 0x0f. */
export const VECTOR_CIRCUIT = Uint8Array.from({ length: 16 }, (_, i) => i);
