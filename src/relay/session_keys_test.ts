import assert from "node:assert/strict";
import { toHex } from "../transport/mod.ts";
import {
  initiatorEphemeral,
  initiatorIdentity,
  responderEphemeral,
  responderIdentity,
  VECTOR_CIRCUIT,
} from "./_test_relay.ts";
import {
  deriveDirectionKeys,
  signedBytes,
  transcriptBytes,
  transcriptHash,
  type TranscriptParts,
} from "./session_keys.ts";

async function vectorParts(): Promise<TranscriptParts> {
  return {
    circuitId: VECTOR_CIRCUIT,
    initiatorKey: (await initiatorIdentity()).publicKey,
    responderKey: (await responderIdentity()).publicKey,
    initiatorEphemeral: (await initiatorEphemeral()).publicKey,
    responderEphemeral: (await responderEphemeral()).publicKey,
  };
}

// Cross-checked with a second implementation (Python's cryptography package) from PROTOCOL.md.
const TRANSCRIPT = "6864702d72656c61792d76312f7472616e736372697074" + "10" +
  "000102030405060708090a0b0c0d0e0f" +
  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" +
  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c" +
  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" +
  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const HASH = "5e5b789543d92a725708a949c0d1cc1b29383a6f34e622a56fcfd4eecae74cdc";

Deno.test("the transcript of the vector keys has its known bytes and hash", async () => {
  const parts = await vectorParts();
  assert.equal(toHex(transcriptBytes(parts)), TRANSCRIPT);
  assert.equal(toHex(await transcriptHash(parts)), HASH);
});

Deno.test("HKDF gives the vector's two direction keys, different from each other", async () => {
  const shared = await (await initiatorEphemeral()).agree((await responderEphemeral()).publicKey);
  const keys = await deriveDirectionKeys(shared, await transcriptHash(await vectorParts()));
  assert.equal(
    toHex(keys.initiatorToResponder),
    "5eb3050ff69163618d2eab8cd34114295798b1e8fc9c0e01c4cb89e4c5a74ebd",
  );
  assert.equal(
    toHex(keys.responderToInitiator),
    "f684894baf40394f543de8a297711dfc98d290eda6dcf324c0bc740ce301f5e9",
  );
});

Deno.test("every bound field changes the transcript hash", async () => {
  const parts = await vectorParts();
  const base = toHex(await transcriptHash(parts));
  const changed = (bytes: Uint8Array): Uint8Array => bytes.map((b, i) => (i === 0 ? b ^ 1 : b));
  for (const field of Object.keys(parts) as (keyof TranscriptParts)[]) {
    const other = { ...parts, [field]: changed(parts[field]) };
    assert.notEqual(toHex(await transcriptHash(other)), base, field);
  }
  // the length byte keeps a longer circuit id from sliding into the keys after it
  const longer = { ...parts, circuitId: new Uint8Array([...VECTOR_CIRCUIT, 0xd7]) };
  assert.notEqual(toHex(await transcriptHash(longer)), base);
});

Deno.test("the two roles sign different bytes for one transcript", () => {
  const hash = new Uint8Array(32);
  const initiator = new TextDecoder().decode(signedBytes("initiator", hash).subarray(0, 22));
  const responder = new TextDecoder().decode(signedBytes("responder", hash).subarray(0, 22));
  assert.equal(initiator, "hdp-relay-v1/initiator");
  assert.equal(responder, "hdp-relay-v1/responder");
  assert.equal(signedBytes("initiator", hash).length, 54);
});

Deno.test("a circuit id of 0 or over 255 bytes is refused", async () => {
  const parts = await vectorParts();
  assert.throws(() => transcriptBytes({ ...parts, circuitId: new Uint8Array(0) }), {
    code: "BAD_REQUEST",
  });
  assert.throws(() => transcriptBytes({ ...parts, circuitId: new Uint8Array(256) }), {
    code: "BAD_REQUEST",
  });
  assert.equal(
    transcriptBytes({ ...parts, circuitId: new Uint8Array(255) }).length,
    23 + 1 + 255 + 128,
  );
});
