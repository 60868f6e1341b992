import assert from "node:assert/strict";
import { ByteReader } from "./_byte_reader.ts";
import { readAll } from "./_test_relay.ts";

function streamOf(...chunks: number[][]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((chunk) => Uint8Array.from(chunk)));
}

Deno.test("exact reads cross chunk boundaries and skip empty chunks", async () => {
  const reader = new ByteReader(streamOf([1, 2], [], [3, 4, 5], [6]));
  assert.deepEqual(await reader.read(1), Uint8Array.of(1));
  assert.deepEqual(await reader.read(3), Uint8Array.of(2, 3, 4));
  assert.deepEqual(await reader.read(2), Uint8Array.of(5, 6));
  assert.equal(await reader.read(1), undefined);
  assert.equal(reader.buffered, 0);
});

Deno.test("a read the stream ends inside returns undefined and leaves the bytes counted", async () => {
  const reader = new ByteReader(streamOf([1, 2, 3]));
  assert.equal(await reader.read(4), undefined);
  assert.equal(reader.buffered, 3);
});

Deno.test("the rest of the stream starts with the bytes read ahead", async () => {
  const reader = new ByteReader(streamOf([1, 2, 3], [4], [5, 6]));
  assert.deepEqual(await reader.read(2), Uint8Array.of(1, 2));
  assert.deepEqual(await readAll(reader.rest()), Uint8Array.of(3, 4, 5, 6));
});
