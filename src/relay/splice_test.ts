import assert from "node:assert/strict";
import type { Duplex } from "./duplex.ts";
import { splice } from "./splice.ts";

/** A leg of a circuit in memory: the relay's side and the far end's side. */
function leg(): { relaySide: Duplex; end: Duplex } {
  const toRelay = new TransformStream<Uint8Array, Uint8Array>();
  const fromRelay = new TransformStream<Uint8Array, Uint8Array>();
  return {
    relaySide: { readable: toRelay.readable, writable: fromRelay.writable },
    end: { readable: fromRelay.readable, writable: toRelay.writable },
  };
}

async function all(readable: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of readable) out.push(...chunk);
  return out;
}

Deno.test("splice copies both ways and closes each direction when its sender closes", async () => {
  const a = leg();
  const c = leg();
  const done = splice(a.relaySide, c.relaySide, { tap: (chunk) => chunk.slice() });
  const toC = a.end.writable.getWriter();
  await toC.write(new Uint8Array([1, 2]));
  await toC.close();
  assert.deepEqual(await all(c.end.readable), [1, 2]);
  const toA = c.end.writable.getWriter();
  await toA.write(new Uint8Array([3]));
  await toA.close();
  assert.deepEqual(await all(a.end.readable), [3]);
  assert.deepEqual(await done, { toA: 1, toC: 2 });
});

Deno.test("splice stops both directions when one leg fails", async () => {
  const a = leg();
  const c = leg();
  const done = splice(a.relaySide, c.relaySide);
  await a.end.writable.getWriter().abort(new Error("reset"));
  await assert.rejects(all(c.end.readable));
  await assert.rejects(all(a.end.readable));
  await done;
});

Deno.test("splice passes chunks through the tap, which may change them", async () => {
  const a = leg();
  const c = leg();
  const paced: number[] = [];
  const done = splice(a.relaySide, c.relaySide, {
    tap: (chunk, toward) => toward === "c" ? chunk.map((b) => b ^ 1) : chunk,
    pace: (bytes) => void paced.push(bytes),
  });
  const toC = a.end.writable.getWriter();
  await toC.write(new Uint8Array([4, 4]));
  await toC.close();
  assert.deepEqual(await all(c.end.readable), [5, 5]);
  await c.end.writable.close();
  await done;
  assert.deepEqual(paced, [2]);
});
