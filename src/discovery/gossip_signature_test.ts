import assert from "node:assert/strict";
import { generateIdentity, type Identity } from "../transport/mod.ts";
import { type AnnounceAddress, encodeAnnounceAddress } from "./announce_address.ts";
import {
  DEFAULT_MAX_AGE_MS,
  MAX_CLOCK_SKEW_MS,
  offsetText,
  signAnnouncement,
  verifyAnnouncement,
} from "./gossip_signature.ts";

const NOW = Date.UTC(2025, 0, 1);
const alice = await generateIdentity();
const mallory = await generateIdentity();

function addressOf(identity: Identity, ip = "203.0.113.7", port = 40000): string {
  const address: AnnounceAddress = { publicKey: identity.publicKey, ip, port, natType: "easy" };
  return encodeAnnounceAddress(address);
}

Deno.test("a signed announcement verifies and gives the decoded address", async () => {
  const address = addressOf(alice);
  const signature = await signAnnouncement(alice, address, NOW);
  assert.equal(signature.length, 64);
  const decoded = await verifyAnnouncement(address, NOW, signature, NOW + 1000);
  assert.deepEqual(decoded.publicKey, alice.publicKey);
  assert.equal(decoded.ip, "203.0.113.7");
  assert.equal(decoded.port, 40000);
});

Deno.test("an announcement still verifies after a messenger wrapped and upper-cased it", async () => {
  const address = addressOf(alice, "2001:db8::5");
  const signature = await signAnnouncement(alice, address, NOW);
  const mangled = `${address.slice(0, 20).toUpperCase()}\n ${address.slice(20)}`;
  await verifyAnnouncement(mangled, NOW, signature, NOW);
});

Deno.test("a tampered address with the same key fails the signature", async () => {
  const signature = await signAnnouncement(alice, addressOf(alice), NOW);
  for (
    const forged of [addressOf(alice, "198.51.100.66"), addressOf(alice, "203.0.113.7", 40001)]
  ) {
    await assert.rejects(verifyAnnouncement(forged, NOW, signature, NOW), {
      code: "UNAUTHORIZED",
      message: /not signed by the peer it describes/,
    });
  }
  const otherNat = encodeAnnounceAddress({
    publicKey: alice.publicKey,
    ip: "203.0.113.7",
    port: 40000,
    natType: "none",
  });
  await assert.rejects(verifyAnnouncement(otherNat, NOW, signature, NOW), {
    code: "UNAUTHORIZED",
  });
});

Deno.test("an announcement signed by another key is refused", async () => {
  const address = addressOf(alice);
  // Mallory cannot sign Alice's address through the API ...
  await assert.rejects(signAnnouncement(mallory, address, NOW), { code: "BAD_REQUEST" });
  // ... and a signature made over the same bytes with Mallory's key does not verify.
  const own = await signAnnouncement(mallory, addressOf(mallory), NOW);
  await assert.rejects(verifyAnnouncement(address, NOW, own, NOW), { code: "UNAUTHORIZED" });
  const stolen = await signAnnouncement(alice, address, NOW);
  await assert.rejects(verifyAnnouncement(addressOf(mallory), NOW, stolen, NOW), {
    code: "UNAUTHORIZED",
  });
});

Deno.test("the time is part of what is signed", async () => {
  const address = addressOf(alice);
  const signature = await signAnnouncement(alice, address, NOW);
  await assert.rejects(verifyAnnouncement(address, NOW + 1, signature, NOW), {
    code: "UNAUTHORIZED",
  });
});

Deno.test("a replayed announcement older than the maximum age is refused", async () => {
  const address = addressOf(alice);
  const old = NOW - DEFAULT_MAX_AGE_MS - 1;
  const signature = await signAnnouncement(alice, address, old);
  await assert.rejects(verifyAnnouncement(address, old, signature, NOW), {
    code: "UNAUTHORIZED",
    message: /24 h old/,
  });
  await verifyAnnouncement(address, old, signature, NOW - 2); // just within the age
  await assert.rejects(
    verifyAnnouncement(address, old, signature, old + 60_001, { maxAgeMs: 60_000 }),
    {
      code: "UNAUTHORIZED",
      message: /60 s old/,
    },
  );
});

Deno.test("an announcement from a clock a whole time zone ahead is accepted, beyond 15 h refused", async () => {
  const address = addressOf(alice);
  const zone = NOW + 14 * 3_600_000; // UTC+14 taken for UTC, the farthest a time zone goes
  await verifyAnnouncement(address, zone, await signAnnouncement(alice, address, zone), NOW);
  const ahead = NOW + MAX_CLOCK_SKEW_MS + 1000;
  const signature = await signAnnouncement(alice, address, ahead);
  await assert.rejects(verifyAnnouncement(address, ahead, signature, NOW), {
    code: "UNAUTHORIZED",
    message: /15 h ahead/,
  });
  const skewed = NOW + MAX_CLOCK_SKEW_MS - 1000;
  await verifyAnnouncement(address, skewed, await signAnnouncement(alice, address, skewed), NOW);
});

Deno.test("an announcement from a clock 14 h behind is accepted, and refused by age a day later", async () => {
  const address = addressOf(alice);
  const behind = NOW - 14 * 3_600_000;
  const signature = await signAnnouncement(alice, address, behind);
  await verifyAnnouncement(address, behind, signature, NOW);
  await assert.rejects(verifyAnnouncement(address, behind, signature, NOW + 11 * 3_600_000), {
    code: "UNAUTHORIZED",
    message: /old/,
  });
});

Deno.test("offsetText signs the offset: ahead is +, behind is -", () => {
  assert.equal(offsetText(16 * 3_600_000), "+16 h");
  assert.equal(offsetText(-40_000), "-40 s");
});

Deno.test("malformed announcements are refused with BAD_REQUEST", async () => {
  const address = addressOf(alice);
  const signature = await signAnnouncement(alice, address, NOW);
  const cases: [string, number, Uint8Array][] = [
    ["hdp1nonsense", NOW, signature],
    ["", NOW, signature],
    [address, NOW, signature.subarray(0, 63)],
    [address, NOW, new Uint8Array(65)],
    [address, -1, signature],
    [address, 1.5, signature],
    [address, Number.NaN, signature],
    [address, 2 ** 53, signature],
  ];
  for (const [text, time, bytes] of cases) {
    await assert.rejects(verifyAnnouncement(text, time, bytes, NOW), { code: "BAD_REQUEST" });
  }
  await assert.rejects(signAnnouncement(alice, address, -5), { code: "BAD_REQUEST" });
  await assert.rejects(signAnnouncement(alice, "hdp1x", NOW), { code: "BAD_REQUEST" });
});

Deno.test("a flipped bit anywhere in the signature is refused", async () => {
  const address = addressOf(alice);
  const signature = await signAnnouncement(alice, address, NOW);
  for (let i = 0; i < signature.length; i += 7) {
    const flipped = signature.slice();
    flipped[i]! ^= 1;
    await assert.rejects(verifyAnnouncement(address, NOW, flipped, NOW), { code: "UNAUTHORIZED" });
  }
});
