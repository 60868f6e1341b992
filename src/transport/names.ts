/**
 * Display names: an adjective and an animal derived from a public key, for people only.
 * The key is the identity; two keys may share a name (about one pair in 2^20).
 */
import { createHash } from "node:crypto";
import { ADJECTIVES, ANIMALS } from "./_words.ts";

const ADJECTIVE_BITS = Math.log2(ADJECTIVES.length);
const ANIMAL_BITS = Math.log2(ANIMALS.length);

/** How many distinct display names exist. */
export const NAME_SPACE: number = ADJECTIVES.length * ANIMALS.length;

/** Derives the display name of a 32-byte ed25519 public key, e.g. `PersianChinchilla`. */
export function displayName(publicKey: Uint8Array): string {
  const digest = createHash("sha256").update(publicKey).digest();
  // The first 32 bits of the hash pick the words: high bits the adjective, the next the animal.
  const bits = digest.readUInt32BE(0);
  const adjective = ADJECTIVES[bits >>> (32 - ADJECTIVE_BITS)];
  const animal = ANIMALS[(bits >>> (32 - ADJECTIVE_BITS - ANIMAL_BITS)) & (ANIMALS.length - 1)];
  return `${adjective}${animal}`;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses lower- or upper-case hex into bytes; undefined when it is not hex of even length. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
