import assert from "node:assert/strict";
import {
  giveBackReadBuffer,
  READ_CHUNK,
  spareReadBuffers,
  takeReadBuffer,
} from "./read_buffers.ts";

Deno.test("read buffers: whole chunks are reused, smaller ones never kept, the spares bounded", () => {
  const first = takeReadBuffer(10 * READ_CHUNK);
  assert.equal(first.length, READ_CHUNK);
  giveBackReadBuffer(first);
  const held = spareReadBuffers();
  assert.equal(takeReadBuffer(5 * READ_CHUNK), first, "the spare is handed out again");
  assert.equal(spareReadBuffers(), held - 1);

  const small = takeReadBuffer(1000);
  assert.equal(small.length, 1000, "a small file gets a buffer of its size");
  giveBackReadBuffer(small);
  assert.equal(spareReadBuffers(), held - 1, "a small buffer is not kept");
  assert.equal(takeReadBuffer(0).length, 1);

  for (let i = 0; i < 50; i++) giveBackReadBuffer(new Uint8Array(READ_CHUNK));
  assert.ok(spareReadBuffers() <= 8, `${spareReadBuffers()} spares kept`);
});
