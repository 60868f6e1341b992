import assert from "node:assert/strict";
import { toHex } from "../transport/mod.ts";
import { hex, initiatorEphemeral, responderEphemeral } from "./_test_relay.ts";
import { ephemeralKeyFromSecret, generateEphemeralKey } from "./ephemeral_key.ts";

Deno.test("ephemeral keys from RFC 7748's secrets have its public keys and shared secret", async () => {
  const alice = await initiatorEphemeral();
  const bob = await responderEphemeral();
  assert.equal(
    toHex(alice.publicKey),
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  );
  assert.equal(
    toHex(bob.publicKey),
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  );
  const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  assert.equal(toHex(await alice.agree(bob.publicKey)), shared);
  assert.equal(toHex(await bob.agree(alice.publicKey)), shared);
});

Deno.test("fresh ephemeral keys differ and agree with each other", async () => {
  const one = await generateEphemeralKey();
  const two = await generateEphemeralKey();
  assert.notDeepEqual(one.publicKey, two.publicKey);
  assert.deepEqual(await one.agree(two.publicKey), await two.agree(one.publicKey));
});

Deno.test("a low-order or malformed peer key is refused with PROTOCOL", async () => {
  const key = await generateEphemeralKey();
  await assert.rejects(key.agree(new Uint8Array(32)), { code: "PROTOCOL" });
  // the point of order 8 of RFC 7748's list of small-order points
  const order8 = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
  await assert.rejects(key.agree(order8), { code: "PROTOCOL" });
  await assert.rejects(key.agree(new Uint8Array(31)), { code: "PROTOCOL" });
});

Deno.test("an X25519 secret that is not 32 bytes is refused", async () => {
  await assert.rejects(ephemeralKeyFromSecret(new Uint8Array(16)), { code: "BAD_REQUEST" });
});
