import assert from "node:assert/strict";
import { PACED_PIECE, sender, SLOW_WRITE_PIECE } from "./piece_sender.ts";

/** A stream whose first write takes `firstMs`; it keeps every byte written. */
function slowFirstWrite(firstMs: number) {
  const written: number[] = [];
  let writes = 0;
  const stream = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (writes++ === 0) await new Promise((r) => setTimeout(r, firstMs));
      for (const byte of chunk) written.push(byte);
    },
  });
  return { writer: stream.getWriter(), written, writes: () => writes };
}

Deno.test("a write that turns slow goes on in pieces from where it got to, sending no byte twice", async () => {
  const bytes = new Uint8Array(3 * SLOW_WRITE_PIECE + 123).map((_, i) => i % 251);
  const sink = slowFirstWrite(30);
  const send = sender(sink.writer, 10_000, undefined, { slowWriteMs: 10 });
  await send(bytes);
  await send(bytes); // the next answer goes in pieces from the start
  assert.equal(sink.written.length, 2 * bytes.length);
  assert.deepEqual(new Uint8Array(sink.written.slice(0, bytes.length)), bytes);
  assert.deepEqual(new Uint8Array(sink.written.slice(bytes.length)), bytes);
  assert.equal(sink.writes(), 1 + 4);
});

Deno.test("each piece is paced by the upload limit before it is written", async () => {
  const asked: number[] = [];
  const sink = slowFirstWrite(0);
  const send = sender(sink.writer, 10_000, (n) => {
    asked.push(n);
    return Promise.resolve();
  });
  await send(new Uint8Array(1000));
  assert.deepEqual(asked, [1000]);
  assert.equal(sink.written.length, 1000);
});

Deno.test("once the upload limit holds a write back, the rest goes in small pieces, each paced", async () => {
  const asked: number[] = [];
  const sink = slowFirstWrite(0);
  const send = sender(sink.writer, 10_000, (n) => {
    asked.push(n);
    // the limit has room for the first write only: the later ones wait
    return asked.length === 1 ? undefined : new Promise((r) => setTimeout(r, 1));
  });
  const bytes = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
  await send(bytes); // within the limit: one write
  await send(bytes); // held back: it waited, whole
  await send(bytes); // from now on in paced pieces
  assert.deepEqual(asked.slice(0, 2), [bytes.length, bytes.length]);
  assert.equal(asked.length, 2 + bytes.length / PACED_PIECE, `asked ${asked}`);
  assert.ok(asked.slice(2).every((n) => n === PACED_PIECE), `pieces of ${asked.slice(2)}`);
  assert.equal(sink.written.length, 3 * bytes.length, "no byte twice, none left out");
  assert.deepEqual(new Uint8Array(sink.written.slice(2 * bytes.length)), bytes);
});
