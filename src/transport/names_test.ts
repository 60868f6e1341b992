import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ADJECTIVES, ANIMALS } from "./_words.ts";
import { displayName, NAME_SPACE } from "./names.ts";

Deno.test("display names come from at least 2^20 combinations of unique words", () => {
  assert.ok(NAME_SPACE >= 2 ** 20);
  assert.equal(new Set(ADJECTIVES.map((w) => w.toLowerCase())).size, ADJECTIVES.length);
  assert.equal(new Set(ANIMALS.map((w) => w.toLowerCase())).size, ANIMALS.length);
  for (const word of [...ADJECTIVES, ...ANIMALS]) assert.match(word, /^[A-Z][a-z]{2,11}$/);
});

Deno.test("a display name is stable for a key and differs for another key", () => {
  const key = new Uint8Array(32).fill(7);
  assert.equal(displayName(key), displayName(new Uint8Array(32).fill(7)));
  assert.match(displayName(key), /^[A-Z][a-z]+[A-Z][a-z]+$/);
  assert.notEqual(displayName(key), displayName(new Uint8Array(32).fill(8)));
});

Deno.test("a known key always maps to the same name (the derivation is part of the protocol)", () => {
  // If this changes, every user's name changes: PROTOCOL.md documents the derivation.
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(displayName(key), displayName(Uint8Array.from({ length: 32 }, (_, i) => i)));
  const first = ADJECTIVES.indexOf(displayName(key).match(/^[A-Z][a-z]+/)![0]);
  assert.ok(first >= 0);
});

Deno.test("100k random keys give few name collisions, close to the birthday bound", () => {
  const n = 100_000;
  const seen = new Set<string>();
  let collisions = 0;
  for (let i = 0; i < n; i++) {
    const name = displayName(randomBytes(32));
    if (seen.has(name)) collisions++;
    else seen.add(name);
  }
  // Expected for uniform names: about n^2 / (2 * NAME_SPACE) ≈ 4,768 at 2^20 names.
  const expected = (n * n) / (2 * NAME_SPACE);
  console.log(
    `name collisions among ${n} random keys: ${collisions} (uniform expectation ≈ ${
      Math.round(expected)
    })`,
  );
  assert.ok(collisions < expected * 1.2, `too many collisions: ${collisions}`);
});
