import assert from "node:assert/strict";
import { toHex } from "../transport/mod.ts";
import { concat, utf8 } from "./_bytes.ts";
import { hex } from "./_test_relay.ts";
import {
  FrameOpener,
  FrameSealer,
  HEADER_BYTES,
  importFrameKey,
  MAX_FRAMES,
  MAX_PLAINTEXT,
  type OpenedFrame,
  TAG_BYTES,
} from "./secure_frame.ts";

// the initiator-to-responder key of the vectors (session_keys_test.ts)
const VECTOR_KEY = hex("5eb3050ff69163618d2eab8cd34114295798b1e8fc9c0e01c4cb89e4c5a74ebd");

async function keyPair(
  raw: Uint8Array = crypto.getRandomValues(new Uint8Array(32)),
): Promise<{ sealer: FrameSealer; opener: FrameOpener }> {
  return {
    sealer: new FrameSealer(await importFrameKey(raw, "encrypt")),
    opener: new FrameOpener(await importFrameKey(raw, "decrypt")),
  };
}

/** Opens one whole frame the way a reader does: the header, then the body it announces. */
async function openWhole(opener: FrameOpener, frame: Uint8Array): Promise<OpenedFrame> {
  const header = frame.subarray(0, HEADER_BYTES);
  const length = opener.bodyLength(header);
  return await opener.open(header, frame.subarray(HEADER_BYTES, HEADER_BYTES + length));
}

Deno.test("the first frame and the end frame of the vector key have their known bytes", async () => {
  const { sealer } = await keyPair(VECTOR_KEY);
  // cross-checked with Python's cryptography package
  assert.equal(
    toHex(await sealer.seal(utf8("hello"))),
    "00" + "0000000000000000" + "00000005" + "44663b651b" + "2c387a6a4b0cd5a440b1e0b0f5e6a6a2",
  );
  assert.equal(
    toHex(await sealer.end()),
    "01" + "0000000000000001" + "00000000" + "644a9fa39b031608cfa77c1d2a2230f8",
  );
});

Deno.test("frames open in order and the end frame says the session is over", async () => {
  const { sealer, opener } = await keyPair();
  const texts = ["one", "", "three"];
  const frames = [...await Promise.all(texts.map((t) => sealer.seal(utf8(t)))), await sealer.end()];
  for (const text of texts) {
    const opened = await openWhole(opener, frames.shift()!);
    assert.deepEqual(opened, { kind: "data", plaintext: utf8(text) });
  }
  assert.deepEqual(await openWhole(opener, frames.shift()!), { kind: "end" });
  assert.equal(opener.ended, true);
  assert.equal(opener.received, 4);
});

Deno.test("a flipped byte anywhere in a frame fails it", async () => {
  const { sealer } = await keyPair(VECTOR_KEY);
  const frame = await sealer.seal(utf8("hello"));
  for (let at = 0; at < frame.length; at++) {
    const { opener } = await keyPair(VECTOR_KEY);
    const bad = frame.slice();
    bad[at]! ^= 0x80;
    await assert.rejects(openWhole(opener, bad), { code: "PROTOCOL" }, `byte ${at}`);
  }
  const { opener } = await keyPair(VECTOR_KEY);
  const bad = frame.slice();
  bad[HEADER_BYTES]! ^= 1;
  await assert.rejects(openWhole(opener, bad), {
    code: "PROTOCOL",
    message: "Relayed frame 0 failed authentication",
  });
});

Deno.test("a replayed frame is refused", async () => {
  const { sealer, opener } = await keyPair();
  const first = await sealer.seal(utf8("pay 10"));
  await openWhole(opener, first);
  await assert.rejects(openWhole(opener, first), {
    code: "PROTOCOL",
    message: "Relayed frame 0 came again where frame 1 was due: a replay",
  });
});

Deno.test("reordered and dropped frames are refused", async () => {
  const { sealer, opener } = await keyPair();
  const [zero, one, two] = [
    await sealer.seal(utf8("a")),
    await sealer.seal(utf8("b")),
    await sealer.seal(utf8("c")),
  ];
  await openWhole(opener, zero!);
  await assert.rejects(openWhole(opener, two!), {
    code: "PROTOCOL",
    message: "Relayed frame 2 came where frame 1 was due: a frame was dropped or reordered",
  });
  // after a failure the session cannot go on, even with the frame that was due
  await assert.rejects(openWhole(opener, one!), { code: "PROTOCOL" });
});

Deno.test("a frame whose header claims the counter due but was sealed under another fails", async () => {
  const { sealer, opener } = await keyPair();
  await sealer.seal(utf8("skipped"));
  const second = await sealer.seal(utf8("b"));
  // the relay rewrites the counter so the check of the header passes: the tag does not
  second.set(new Uint8Array(8), 1);
  await assert.rejects(openWhole(opener, second), {
    message: "Relayed frame 0 failed authentication",
  });
});

Deno.test("an oversized length is refused from the header alone", async () => {
  const { opener } = await keyPair();
  const header = new Uint8Array(HEADER_BYTES);
  new DataView(header.buffer).setUint32(9, MAX_PLAINTEXT + 1);
  assert.throws(() => opener.bodyLength(header), {
    code: "PROTOCOL",
    message: `Relayed frame 0 declares ${
      MAX_PLAINTEXT + 1
    } bytes, over the ${MAX_PLAINTEXT} byte limit`,
  });
  new DataView(header.buffer).setUint32(9, 0xffffffff);
  assert.throws(() => opener.bodyLength(header), { code: "PROTOCOL" });
});

Deno.test("an unknown kind and an end frame with bytes are refused", async () => {
  const { opener } = await keyPair();
  assert.throws(() => opener.bodyLength(concat(Uint8Array.of(7), new Uint8Array(12))), {
    message: "Relayed frame 0 is of unknown kind 7",
  });
  const other = (await keyPair()).opener;
  const header = concat(Uint8Array.of(1), new Uint8Array(8), Uint8Array.of(0, 0, 0, 4));
  assert.throws(() => other.bodyLength(header), {
    message: "Relayed frame 0 ends the session but carries 4 bytes",
  });
});

Deno.test("a frame after the end is refused", async () => {
  const { sealer, opener } = await keyPair();
  await openWhole(opener, await sealer.end());
  const header = concat(
    Uint8Array.of(0),
    new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]),
    new Uint8Array(4),
  );
  assert.throws(() => opener.bodyLength(header), {
    message: "Relayed frame 1 came after the end of the session",
  });
  await assert.rejects(sealer.seal(utf8("late")), { code: "INTERNAL" });
});

Deno.test("a body of the wrong length is refused", async () => {
  const { sealer, opener } = await keyPair();
  const frame = await sealer.seal(utf8("hello"));
  await assert.rejects(
    opener.open(frame.subarray(0, HEADER_BYTES), frame.subarray(HEADER_BYTES, frame.length - 1)),
    { message: `Relayed frame 0 is ${5 + TAG_BYTES - 1} bytes, not ${5 + TAG_BYTES}` },
  );
});

Deno.test("a sealer refuses plaintext over 64 KiB and sends a full one", async () => {
  const { sealer, opener } = await keyPair();
  await assert.rejects(sealer.seal(new Uint8Array(MAX_PLAINTEXT + 1)), { code: "TOO_LARGE" });
  const full = await sealer.seal(new Uint8Array(MAX_PLAINTEXT).fill(7));
  assert.equal(full.length, HEADER_BYTES + MAX_PLAINTEXT + TAG_BYTES);
  const opened = await openWhole(opener, full);
  assert.equal(opened.kind === "data" && opened.plaintext.length, MAX_PLAINTEXT);
});

Deno.test("a sealer stops before its 2^32nd frame, keeping the last counter for the end", async () => {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const sealer = new FrameSealer(await importFrameKey(raw, "encrypt"), { counter: MAX_FRAMES - 2 });
  const opener = new FrameOpener(await importFrameKey(raw, "decrypt"), { counter: MAX_FRAMES - 2 });
  await openWhole(opener, await sealer.seal(utf8("last")));
  await assert.rejects(sealer.seal(utf8("one too many")), {
    code: "TOO_LARGE",
    message: `The relayed session has sent ${MAX_FRAMES - 1} frames, its limit: open a new circuit`,
  });
  assert.deepEqual(await openWhole(opener, await sealer.end()), { kind: "end" });
  const past = new FrameOpener(await importFrameKey(raw, "decrypt"), { counter: MAX_FRAMES });
  assert.throws(() => past.bodyLength(new Uint8Array(HEADER_BYTES)), {
    message: `Relayed frame ${MAX_FRAMES} is past the session's limit of ${MAX_FRAMES} frames`,
  });
});

Deno.test("the two directions' keys do not open each other's frames", async () => {
  const one = await keyPair();
  const two = await keyPair();
  await assert.rejects(openWhole(two.opener, await one.sealer.seal(utf8("x"))), {
    message: "Relayed frame 0 failed authentication",
  });
});
