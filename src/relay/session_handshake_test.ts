import assert from "node:assert/strict";
import { generateIdentity, type Identity, toHex } from "../transport/mod.ts";
import { sameBytes } from "./_bytes.ts";
import {
  cutAfter,
  flipByteAt,
  initiatorEphemeral,
  initiatorIdentity,
  type RelayedPair,
  relayedPair,
  responderEphemeral,
  responderIdentity,
  type Tap,
  VECTOR_CIRCUIT,
} from "./_test_relay.ts";
import { generateEphemeralKey } from "./ephemeral_key.ts";
import {
  type Handshaken,
  initiateHandshake,
  type InitiateOptions,
  respondHandshake,
  type RespondOptions,
} from "./session_handshake.ts";
import { encodeFinish, MESSAGE_BYTES, parseReply } from "./session_messages.ts";

interface Ends {
  a: Identity;
  c: Identity;
}

async function ends(): Promise<Ends> {
  return { a: await generateIdentity(), c: await generateIdentity() };
}

/** Runs both sides over `pair`; A expects C unless told otherwise, C accepts only A. */
function both(
  pair: RelayedPair,
  { a, c }: Ends,
  options: { initiate?: Partial<InitiateOptions>; respond?: Partial<RespondOptions> } = {},
): [Promise<Handshaken>, Promise<Handshaken>] {
  const circuitId = VECTOR_CIRCUIT;
  const initiator = initiateHandshake(pair.a, a, {
    circuitId,
    peerKey: c.publicKey,
    ...options.initiate,
  });
  const responder = respondHandshake(pair.c, c, {
    circuitId,
    accept: (key) => sameBytes(key, a.publicKey),
    ...options.respond,
  });
  // each test looks at the outcome it cares about; the other must not be an unhandled rejection
  initiator.catch(() => {});
  responder.catch(() => {});
  return [initiator, responder];
}

Deno.test("both ends agree on the transcript and learn each other's proven key", async () => {
  const keys = await ends();
  const [initiator, responder] = both(relayedPair(), keys);
  const [a, c] = [await initiator, await responder];
  assert.deepEqual(a.session.transcriptHash, c.session.transcriptHash);
  assert.deepEqual(a.session.peerKey, keys.c.publicKey);
  assert.deepEqual(c.session.peerKey, keys.a.publicKey);
  assert.deepEqual([a.session.role, c.session.role], ["initiator", "responder"]);
});

Deno.test("the handshake of the vector keys has its known bytes", async () => {
  const keys = { a: await initiatorIdentity(), c: await responderIdentity() };
  const pair = relayedPair();
  const [initiator, responder] = both(pair, keys, {
    initiate: { ephemeral: await initiatorEphemeral() },
    respond: { ephemeral: await responderEphemeral() },
  });
  const [a, c] = [await initiator, await responder];
  const hash = "5e5b789543d92a725708a949c0d1cc1b29383a6f34e622a56fcfd4eecae74cdc";
  assert.equal(toHex(a.session.transcriptHash), hash);
  assert.equal(toHex(c.session.transcriptHash), hash);
  // cross-checked with Python's cryptography package, from PROTOCOL.md alone
  assert.equal(
    toHex(pair.seenToC()),
    "01" + "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" +
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" +
      "03" + "b9ecb5e4e3541c5b419597d4c504bbd76ba42c4c93c75ba467d4fb799190ffee" +
      "f2d5f5766b88ae4c1507a8c9b22a986186ebf444419ceaec3ee0a7e5cbfbf408",
  );
  assert.equal(
    toHex(pair.seenToA()),
    "02" + "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f" +
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c" +
      "e29943ccaf87269ee9c79322fd820094c84726baae2c218c35da4d5022190b62" +
      "b585ef1f6501c0442d2a7b81d5cb06fa17b35b5d85e2d50f150401c629d3150d",
  );
});

Deno.test("an initiator that expects another key refuses the responder", async () => {
  const keys = await ends();
  const expected = await generateIdentity();
  const [initiator, responder] = both(relayedPair(), keys, {
    initiate: { peerKey: expected.publicKey },
  });
  await assert.rejects(initiator, (error: Error & { code?: string }) => {
    assert.equal(error.code, "UNAUTHORIZED");
    assert.match(
      error.message,
      /^The relayed peer is [0-9a-f]{16}…, not the expected [0-9a-f]{16}…$/,
    );
    return true;
  });
  await assert.rejects(responder);
});

Deno.test("a relay that runs its own handshakes with both ends is refused by both", async () => {
  const keys = await ends();
  const relay = await generateIdentity();
  const toA = relayedPair();
  const toC = relayedPair();
  // the relay answers A as if it were C, and calls C as if it were A: with its own key
  const aSide = initiateHandshake(toA.a, keys.a, {
    circuitId: VECTOR_CIRCUIT,
    peerKey: keys.c.publicKey,
  });
  const relayAsC = respondHandshake(toA.c, relay, {
    circuitId: VECTOR_CIRCUIT,
    accept: () => true,
  });
  const relayAsA = initiateHandshake(toC.a, relay, {
    circuitId: VECTOR_CIRCUIT,
    peerKey: keys.c.publicKey,
  });
  const cSide = respondHandshake(toC.c, keys.c, {
    circuitId: VECTOR_CIRCUIT,
    accept: (key) => sameBytes(key, keys.a.publicKey),
  });
  relayAsC.catch(() => {});
  relayAsA.catch(() => {});
  // either may fail first: both are watched from the start
  await Promise.all([
    assert.rejects(aSide, { code: "UNAUTHORIZED" }),
    assert.rejects(cSide, { code: "FORBIDDEN" }),
  ]);
});

Deno.test("a relay that swaps in its own ephemeral keys but keeps the identities fails the signatures", async () => {
  const keys = await ends();
  const fakeToC = await generateEphemeralKey();
  const fakeToA = await generateEphemeralKey();
  const swapAt = (skip: number, key: Uint8Array): Tap => {
    let seen = 0;
    return (chunk, controller) => {
      const copy = chunk.slice();
      for (let i = 0; i < copy.length; i++) {
        const at = seen + i - skip;
        if (at >= 0 && at < 32) copy[i] = key[at]!;
      }
      seen += copy.length;
      controller.enqueue(copy);
    };
  };
  const pair = relayedPair({
    toC: swapAt(1, fakeToC.publicKey),
    toA: swapAt(1, fakeToA.publicKey),
  });
  const [initiator, responder] = both(pair, keys);
  await assert.rejects(initiator, { code: "UNAUTHORIZED" });
  await assert.rejects(responder);
});

Deno.test("a reply replayed from an earlier handshake is refused", async () => {
  const keys = await ends();
  const first = relayedPair();
  const [a1, c1] = both(first, keys);
  await Promise.all([a1, c1]);
  const oldReply = first.seenToA();
  // a second circuit where the relay answers with the old reply instead of C's
  const second = relayedPair({
    toA: (chunk, controller) => {
      if (chunk[0] === 2) return controller.enqueue(oldReply);
      controller.enqueue(chunk);
    },
  });
  const [a2, c2] = both(second, keys);
  await assert.rejects(a2, { code: "UNAUTHORIZED" });
  await assert.rejects(c2);
});

Deno.test("a hello and finish replayed to the responder are refused", async () => {
  const keys = await ends();
  const first = relayedPair();
  const [a1, c1] = both(first, keys);
  await Promise.all([a1, c1]);
  const oldHelloAndFinish = first.seenToC();
  // the relay alone plays the old initiator to C
  const second = relayedPair();
  const responder = respondHandshake(second.c, keys.c, {
    circuitId: VECTOR_CIRCUIT,
    accept: () => true,
  });
  const writer = second.a.writable.getWriter();
  const replay = writer.write(oldHelloAndFinish);
  const drain = second.a.readable.pipeTo(new WritableStream());
  await assert.rejects(responder, { code: "UNAUTHORIZED" });
  await replay.catch(() => {});
  await drain.catch(() => {});
});

Deno.test("ends told different circuit ids refuse each other", async () => {
  const keys = await ends();
  const [initiator, responder] = both(relayedPair(), keys, {
    respond: { circuitId: Uint8Array.of(9) },
  });
  await assert.rejects(initiator, { code: "UNAUTHORIZED" });
  await assert.rejects(responder);
});

Deno.test("any byte the relay changes in the handshake fails it", async () => {
  const keys = await ends();
  const offsets = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  for (const at of offsets(MESSAGE_BYTES.hello + MESSAGE_BYTES.finish)) {
    const [initiator, responder] = both(relayedPair({ toC: flipByteAt(at) }), keys);
    await assert.rejects(responder, `byte ${at} towards C`);
    // a changed hello is seen by A too; a changed finish only by C, which then stops
    if (at < MESSAGE_BYTES.hello) await assert.rejects(initiator, `byte ${at} towards C`);
    else await initiator;
  }
  for (const at of offsets(MESSAGE_BYTES.reply)) {
    const [initiator, responder] = both(relayedPair({ toA: flipByteAt(at) }), keys);
    await assert.rejects(initiator, `byte ${at} towards A`);
    await assert.rejects(responder, `byte ${at} towards A`);
  }
});

Deno.test("a responder's signature reflected as the initiator's finish is refused", async () => {
  // one key at both ends, so only the role in the signed bytes tells the signatures apart
  const self = await generateIdentity();
  let replySignature: Uint8Array = new Uint8Array(0);
  const pair = relayedPair({
    toA: (chunk, controller) => {
      if (chunk[0] === 2) replySignature = parseReply(chunk).signature;
      controller.enqueue(chunk);
    },
    toC: (chunk, controller) => {
      if (chunk[0] !== 3) return controller.enqueue(chunk);
      controller.enqueue(encodeFinish({ signature: replySignature }));
    },
  });
  const [initiator, responder] = both(pair, { a: self, c: self });
  await assert.rejects(responder, { code: "UNAUTHORIZED" });
  await initiator;
});

Deno.test("a handshake the relay cuts short fails with PROTOCOL", async () => {
  const keys = await ends();
  const [initiator, responder] = both(relayedPair({ toC: cutAfter(30) }), keys);
  await assert.rejects(responder, {
    code: "PROTOCOL",
    message: "The relayed stream ended before the handshake's hello",
  });
  await assert.rejects(initiator);
});

Deno.test("the responder's accept is asked after the proof, and its no is FORBIDDEN", async () => {
  const keys = await ends();
  const asked: string[] = [];
  const [initiator, responder] = both(relayedPair(), keys, {
    respond: {
      accept: (key) => {
        asked.push(toHex(key));
        return false;
      },
    },
  });
  await assert.rejects(responder, { code: "FORBIDDEN" });
  assert.deepEqual(asked, [toHex(keys.a.publicKey)]);
  // A has finished its part; it learns of the refusal when the stream stops
  await initiator;
});

Deno.test("a first byte that is not a hello is refused at once", async () => {
  const keys = await ends();
  const pair = relayedPair();
  const responder = respondHandshake(pair.c, keys.c, {
    circuitId: VECTOR_CIRCUIT,
    accept: () => true,
  });
  const writer = pair.a.writable.getWriter();
  await writer.write(Uint8Array.of(0x16));
  await assert.rejects(responder, {
    code: "PROTOCOL",
    message: "Expected the relayed handshake's hello (type 1), not type 22",
  });
});

Deno.test("an aborted handshake stops the stream and throws the reason", async () => {
  const keys = await ends();
  const pair = relayedPair();
  const controller = new AbortController();
  // nobody answers on C's side
  const initiator = initiateHandshake(pair.a, keys.a, {
    circuitId: VECTOR_CIRCUIT,
    peerKey: keys.c.publicKey,
    signal: controller.signal,
  });
  const reader = pair.c.readable.getReader();
  await reader.read(); // the hello arrived
  controller.abort(new Error("Timed out"));
  await assert.rejects(initiator, { message: "Timed out" });
});
