import assert from "node:assert/strict";
import { generateIdentity, type Identity, toHex } from "../transport/mod.ts";
import { encodeFrame, FrameReader } from "../wire/mod.ts";
import { concat, utf8 } from "./_bytes.ts";
import {
  cutAfter,
  initiatorEphemeral,
  initiatorIdentity,
  readAll,
  rechunk,
  type RelayedPair,
  relayedPair,
  responderEphemeral,
  responderIdentity,
  type Tap,
  VECTOR_CIRCUIT,
} from "./_test_relay.ts";
import type { Duplex } from "./duplex.ts";
import { initiateSecureChannel, respondSecureChannel, SecureChannel } from "./secure_channel.ts";
import { HEADER_BYTES, MAX_PLAINTEXT, TAG_BYTES } from "./secure_frame.ts";
import { initiateHandshake, respondHandshake, type Session } from "./session_handshake.ts";

const HANDSHAKE_TO_C = 65 + 65;

async function channels(
  pair: RelayedPair,
  keys?: { a: Identity; c: Identity },
): Promise<{ a: SecureChannel; c: SecureChannel }> {
  const { a, c } = keys ?? { a: await generateIdentity(), c: await generateIdentity() };
  const [one, two] = await Promise.all([
    initiateSecureChannel(pair.a, a, { circuitId: VECTOR_CIRCUIT, peerKey: c.publicKey }),
    respondSecureChannel(pair.c, c, { circuitId: VECTOR_CIRCUIT, accept: () => true }),
  ]);
  return { a: one, c: two };
}

/** Writes `parts` one write each, then closes. */
async function send(writable: WritableStream<Uint8Array>, parts: Uint8Array[]): Promise<void> {
  const writer = writable.getWriter();
  for (const part of parts) await writer.write(part);
  await writer.close();
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/** A tap that acts on the session's frames only, once the handshake's bytes have passed. */
function afterHandshake(
  skip: number,
  tap: (frames: Uint8Array, k: TransformStreamDefaultController<Uint8Array>) => void,
): Tap {
  let seen = 0;
  return (chunk, controller) => {
    const before = Math.max(0, Math.min(chunk.length, skip - seen));
    if (before > 0) controller.enqueue(chunk.subarray(0, before));
    seen += chunk.length;
    if (before < chunk.length) tap(chunk.subarray(before), controller);
  };
}

Deno.test("bytes cross both ways intact however the relay splits and joins them", async () => {
  for (const seed of [1, 2, 3, 4]) {
    const pair = relayedPair({ toC: rechunk(seed), toA: rechunk(seed * 7919) });
    const { a, c } = await channels(pair);
    const big = randomBytes(3 * MAX_PLAINTEXT + 12345);
    const parts = [utf8("hi"), new Uint8Array(0), big, randomBytes(1), randomBytes(MAX_PLAINTEXT)];
    const [atC, atA] = await Promise.all([
      readAll(c.readable),
      readAll(a.readable),
      send(a.writable, parts),
      send(c.writable, parts.toReversed()),
    ]);
    assert.deepEqual(atC, concat(...parts), `seed ${seed}`);
    assert.deepEqual(atA, concat(...parts.toReversed()), `seed ${seed}`);
  }
});

Deno.test("the first frame after the vector handshake has its known bytes", async () => {
  const pair = relayedPair();
  const [a, c] = [await initiatorIdentity(), await responderIdentity()];
  const [one, two] = await Promise.all([
    initiateHandshake(pair.a, a, {
      circuitId: VECTOR_CIRCUIT,
      peerKey: c.publicKey,
      ephemeral: await initiatorEphemeral(),
    }),
    respondHandshake(pair.c, c, {
      circuitId: VECTOR_CIRCUIT,
      accept: () => true,
      ephemeral: await responderEphemeral(),
    }),
  ]);
  const [atC] = await Promise.all([
    readAll(new SecureChannel(two.stream, two.session).readable),
    send(new SecureChannel(one.stream, one.session).writable, [utf8("hello")]),
  ]);
  assert.deepEqual(atC, utf8("hello"));
  assert.equal(
    toHex(pair.seenToC().subarray(HANDSHAKE_TO_C)),
    "00000000000000000000000005" + "44663b651b" + "2c387a6a4b0cd5a440b1e0b0f5e6a6a2" +
      "01000000000000000100000000" + "644a9fa39b031608cfa77c1d2a2230f8",
  );
});

Deno.test("framed CBOR, as the RPC code writes it, runs over the channel unchanged", async () => {
  const { a, c } = await channels(relayedPair({ toC: rechunk(5) }));
  const file = randomBytes(200_000);
  const writer = a.writable.getWriter();
  const sending = (async () => {
    await writer.write(encodeFrame({ type: "ok", size: file.length }));
    await writer.write(file);
    await writer.write(encodeFrame({ type: "end" }));
    await writer.close();
  })();
  const reader = new FrameReader(c.readable);
  assert.deepEqual(await reader.readFrame(), { type: "ok", size: file.length });
  assert.deepEqual(await reader.readBytes(file.length), file);
  assert.deepEqual(await reader.readFrame(), { type: "end" });
  assert.equal(await reader.readFrame(), undefined);
  await sending;
});

Deno.test("the relay sees no plaintext", async () => {
  const pair = relayedPair();
  const { a, c } = await channels(pair);
  const secret = utf8("the quick brown fox jumps over the lazy dog ".repeat(50));
  await Promise.all([readAll(c.readable), send(a.writable, [secret])]);
  const seen = new TextDecoder("latin1").decode(pair.seenToC());
  assert.equal(seen.includes("quick brown"), false);
});

Deno.test("a ciphertext byte the relay flips fails the reader with PROTOCOL", async () => {
  const first = HEADER_BYTES + 5 + TAG_BYTES;
  const pair = relayedPair({
    toC: afterHandshake(HANDSHAKE_TO_C + first + HEADER_BYTES + 2, (bytes, k) => {
      const copy = bytes.slice();
      copy[0]! ^= 0x40;
      k.enqueue(copy);
    }),
  });
  const { a, c } = await channels(pair);
  const reading = readAll(c.readable);
  const sending = send(a.writable, [utf8("first"), utf8("second frame")]).catch(() => {});
  await assert.rejects(reading, {
    code: "PROTOCOL",
    message: "Relayed frame 1 failed authentication",
  });
  await sending;
});

/** A relay that gathers the session's frames (one chunk each) and passes them on rearranged. */
function rearranging(arrange: (frames: Uint8Array[]) => Uint8Array[], count: number): Tap {
  const frames: Uint8Array[] = [];
  return afterHandshake(HANDSHAKE_TO_C, (bytes, k) => {
    frames.push(bytes.slice());
    if (frames.length === count) { for (const frame of arrange(frames)) k.enqueue(frame); }
  });
}

for (
  const [what, arrange, message] of [
    ["replayed", (f: Uint8Array[]) => [f[0]!, f[0]!, f[1]!, f[2]!], "Relayed frame 0 came again"],
    ["reordered", (f: Uint8Array[]) => [f[1]!, f[0]!, f[2]!], "Relayed frame 1 came where frame 0"],
    ["dropped", (f: Uint8Array[]) => [f[0]!, f[2]!], "Relayed frame 2 came where frame 1"],
  ] as const
) {
  Deno.test(`a frame the relay ${what} fails the reader with PROTOCOL`, async () => {
    const { a, c } = await channels(relayedPair({ toC: rearranging(arrange, 3) }));
    const reading = readAll(c.readable);
    const sending = send(a.writable, [utf8("a"), utf8("b")]).catch(() => {});
    await assert.rejects(reading, (error: Error & { code?: string }) => {
      assert.equal(error.code, "PROTOCOL");
      assert.ok(error.message.startsWith(message), error.message);
      return true;
    });
    await sending;
  });
}

Deno.test("a stream the relay closes between frames is cut short, not ended", async () => {
  const frame = HEADER_BYTES + 1 + TAG_BYTES;
  const { a, c } = await channels(relayedPair({ toC: cutAfter(HANDSHAKE_TO_C + 2 * frame) }));
  const reading = readAll(c.readable);
  const sending = send(a.writable, [utf8("a"), utf8("b"), utf8("c")]).catch(() => {});
  await assert.rejects(reading, {
    code: "PROTOCOL",
    message: "The relayed stream was cut short after 2 frames: no end frame came",
  });
  await sending;
});

Deno.test("a stream the relay closes inside a frame fails the reader", async () => {
  const { a, c } = await channels(
    relayedPair({ toC: cutAfter(HANDSHAKE_TO_C + HEADER_BYTES + 3) }),
  );
  const reading = readAll(c.readable);
  const sending = send(a.writable, [utf8("abcdefgh")]).catch(() => {});
  await assert.rejects(reading, {
    code: "PROTOCOL",
    message: "The relayed stream ended inside frame 0",
  });
  await sending;
});

Deno.test("an oversized frame header fails the reader before its body arrives", async () => {
  const { c } = await sessions();
  // the relay writes a header of its own; no body follows, and the stream stays open
  const header = new Uint8Array(HEADER_BYTES);
  new DataView(header.buffer).setUint32(9, 1 << 30);
  const readable = new ReadableStream<Uint8Array>({ start: (k) => k.enqueue(header) });
  const channel = new SecureChannel({ readable, writable: new WritableStream() }, c);
  await assert.rejects(readAll(channel.readable), {
    code: "PROTOCOL",
    message: `Relayed frame 0 declares ${1 << 30} bytes, over the ${MAX_PLAINTEXT} byte limit`,
  });
});

/** A session's two ends, without channels: for wrapping streams of the test's own. */
async function sessions(): Promise<{ a: Session; c: Session }> {
  const pair = relayedPair();
  const [a, c] = [await generateIdentity(), await generateIdentity()];
  const [one, two] = await Promise.all([
    initiateHandshake(pair.a, a, { circuitId: VECTOR_CIRCUIT, peerKey: c.publicKey }),
    respondHandshake(pair.c, c, { circuitId: VECTOR_CIRCUIT, accept: () => true }),
  ]);
  return { a: one.session, c: two.session };
}

/** The wire bytes of `parts` sealed by a channel of `session`, the end frame last. */
async function sealed(session: Session, parts: Uint8Array[]): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const stream: Duplex = {
    readable: new ReadableStream(),
    writable: new WritableStream({ write: (chunk) => void frames.push(chunk) }),
  };
  await send(new SecureChannel(stream, session).writable, parts);
  return frames;
}

Deno.test("the reader ends at the end frame even when the relay keeps the stream open", async () => {
  const { a, c } = await sessions();
  const frames = await sealed(a, [utf8("done")]);
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.enqueue(utf8("junk after the end")); // carries nothing; never closed
    },
  });
  const channel = new SecureChannel({ readable, writable: new WritableStream() }, c);
  assert.deepEqual(await readAll(channel.readable), utf8("done"));
});

Deno.test("an unread channel reads no more from the relay than one frame ahead", async () => {
  const { a, c } = await sessions();
  const frames = await sealed(a, Array.from({ length: 50 }, () => randomBytes(1000)));
  let pulled = 0;
  const readable = new ReadableStream<Uint8Array>({
    pull(controller) {
      const frame = frames[pulled++];
      if (frame) controller.enqueue(frame);
      else controller.close();
    },
  }, { highWaterMark: 0 });
  const channel = new SecureChannel({ readable, writable: new WritableStream() }, c);
  const reader = channel.readable.getReader();
  await reader.read();
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(pulled <= 3, `pulled ${pulled} frames`);
  let total = 1000;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.length;
  }
  assert.equal(total, 50 * 1000);
});

Deno.test("a writer waits for the relay to take each frame", async () => {
  const { a } = await sessions();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let firstWrite: () => void = () => {};
  const started = new Promise<void>((resolve) => (firstWrite = resolve));
  let writes = 0;
  const writable = new WritableStream<Uint8Array>({
    write: async () => {
      writes++;
      firstWrite();
      await gate;
    },
  });
  const channel = new SecureChannel({ readable: new ReadableStream(), writable }, a);
  const writer = channel.writable.getWriter();
  const pending = Array.from({ length: 8 }, () => writer.write(randomBytes(2 * MAX_PLAINTEXT)));
  await started;
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(writes, 1);
  assert.ok((writer.desiredSize ?? 0) < 0);
  release();
  await Promise.all(pending);
  await writer.close();
  assert.equal(writes, 8 * 2 + 1);
});

Deno.test("cancelling the reader and aborting the writer reach the relayed stream", async () => {
  const { a } = await sessions();
  const reasons: unknown[] = [];
  const readable = new ReadableStream<Uint8Array>({
    cancel: (reason) => void reasons.push(reason),
  });
  const writable = new WritableStream<Uint8Array>({ abort: (reason) => void reasons.push(reason) });
  const channel = new SecureChannel({ readable, writable }, a);
  await channel.readable.cancel("reader gone");
  await channel.writable.abort("writer gone");
  assert.deepEqual(reasons, ["reader gone", "writer gone"]);
});

Deno.test("a session's keys serve one channel only", async () => {
  const { a } = await sessions();
  const stream = (): Duplex => ({ readable: new ReadableStream(), writable: new WritableStream() });
  new SecureChannel(stream(), a);
  assert.throws(() => new SecureChannel(stream(), a), { code: "INTERNAL" });
});
