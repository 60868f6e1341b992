import assert from "node:assert/strict";
import { encodeFrame, FrameReader } from "./frame.ts";

/** A stream that hands out `bytes` in chunks of the given sizes (the rest in one last chunk). */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let turn = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const size = sizes[turn++] ?? bytes.length;
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

function joined(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

Deno.test("frames and raw byte runs interleave across any chunk boundaries", async () => {
  const one = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
  const two = Uint8Array.from({ length: 70 }, (_, i) => 255 - i);
  const wire = joined(
    encodeFrame({ n: 1 }),
    one,
    encodeFrame({ n: 2 }),
    new Uint8Array(0),
    encodeFrame({ n: 3 }),
    two,
  );
  for (const sizes of [[1], [3, 1, 2, 500, 7], [wire.length], [13, 13, 13, 13, 13, 13, 13]]) {
    const reader = new FrameReader(chunked(wire, sizes.flatMap((s) => Array(200).fill(s))));
    assert.deepEqual(await reader.readFrame(), { n: 1 });
    assert.deepEqual(await reader.readBytes(one.length), one);
    assert.deepEqual(await reader.readFrame(), { n: 2 });
    assert.deepEqual(await reader.readBytes(0), new Uint8Array(0));
    assert.deepEqual(await reader.readFrame(), { n: 3 });
    assert.deepEqual(await reader.readBytes(two.length), two);
    assert.equal(await reader.readFrame(), undefined);
  }
});

Deno.test("a byte run cut short is a PROTOCOL error", async () => {
  const reader = new FrameReader(chunked(joined(encodeFrame({ n: 1 }), new Uint8Array(10)), [5]));
  assert.deepEqual(await reader.readFrame(), { n: 1 });
  await assert.rejects(reader.readBytes(11), { code: "PROTOCOL" });
});

Deno.test("encodeFrame leaves room for the raw bytes that follow the frame", async () => {
  const frame = encodeFrame({ type: "ok", size: 3 }, { followedBy: 3 });
  frame.set([7, 8, 9], frame.length - 3);
  const reader = new FrameReader(chunked(frame, [2, 5]));
  assert.deepEqual(await reader.readFrame(), { type: "ok", size: 3 });
  assert.deepEqual(await reader.readBytes(3), Uint8Array.of(7, 8, 9));
  assert.equal(await reader.readFrame(), undefined);
});
