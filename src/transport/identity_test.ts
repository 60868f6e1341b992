import assert from "node:assert/strict";
import { join } from "node:path";
import { IDENTITY_FILE, loadOrCreateIdentity, verifySignature } from "./identity.ts";

Deno.test("the identity is created once with mode 0600 and reused after", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await loadOrCreateIdentity(dir);
    const second = await loadOrCreateIdentity(dir);
    assert.equal(first.publicKeyHex, second.publicKeyHex);
    assert.equal(first.name, second.name);
    assert.equal(first.publicKey.length, 32);
    if (Deno.build.os !== "windows") {
      const { mode } = await Deno.stat(join(dir, IDENTITY_FILE));
      assert.equal(mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an identity file readable by others is made private again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await loadOrCreateIdentity(dir);
    await Deno.chmod(join(dir, IDENTITY_FILE), 0o644);
    await loadOrCreateIdentity(dir);
    assert.equal((await Deno.stat(join(dir, IDENTITY_FILE))).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt identity file is refused with a coded error, not replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, IDENTITY_FILE), "garbage", { mode: 0o600 });
    await assert.rejects(loadOrCreateIdentity(dir), { code: "IO" });
    assert.equal(await Deno.readTextFile(join(dir, IDENTITY_FILE)), "garbage");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signatures verify with the public key and fail for other data or keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const identity = await loadOrCreateIdentity(dir);
    const data = new TextEncoder().encode("hello");
    const signature = await identity.sign(data);
    assert.ok(await verifySignature(identity.publicKey, data, signature));
    assert.ok(!await verifySignature(identity.publicKey, new Uint8Array([1]), signature));
    assert.ok(!await verifySignature(new Uint8Array(32), data, signature));
    assert.ok(!await verifySignature(identity.publicKey, data, signature.subarray(1)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
