/**
 * The ephemeral X25519 key of one relayed handshake (RFC 7748, through WebCrypto): made fresh for
 * each handshake and forgotten after it, which gives the session forward secrecy.
 */
import { hdpError } from "../wire/mod.ts";
import { concat } from "./_bytes.ts";

/** The PKCS#8 DER of an X25519 private key, up to its 32 secret bytes (RFC 8410). */
const PKCS8_PREFIX = Uint8Array.from([
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
]);

/** An X25519 key pair for one handshake. */
export interface EphemeralKey {
  /** The 32-byte public key, sent in the handshake. */
  readonly publicKey: Uint8Array;
  /** The 32-byte X25519 shared secret with a peer's public key; `PROTOCOL` for a bad one. */
  agree(peerPublicKey: Uint8Array): Promise<Uint8Array>;
}

/** Makes a fresh ephemeral key (the default of every handshake). */
export async function generateEphemeralKey(): Promise<EphemeralKey> {
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, false, [
    "deriveBits",
  ]) as CryptoKeyPair;
  return await fromPrivateKey(pair.privateKey, pair.publicKey);
}

/**
 * Builds the ephemeral key of 32 secret bytes. For known-answer tests only: an ephemeral key used
 * twice loses forward secrecy.
 */
export async function ephemeralKeyFromSecret(secret: Uint8Array): Promise<EphemeralKey> {
  if (secret.length !== 32) throw hdpError("BAD_REQUEST", "An X25519 secret is 32 bytes");
  const extractable = await crypto.subtle.importKey(
    "pkcs8",
    concat(PKCS8_PREFIX, secret) as BufferSource,
    { name: "X25519" },
    true,
    ["deriveBits"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  if (!jwk.x) throw hdpError("INTERNAL", "Cannot derive the X25519 public key");
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { kty: "OKP", crv: "X25519", x: jwk.x },
    { name: "X25519" },
    true,
    [],
  );
  return await fromPrivateKey(extractable, publicKey);
}

async function fromPrivateKey(privateKey: CryptoKey, publicKey: CryptoKey): Promise<EphemeralKey> {
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  return {
    publicKey: raw,
    agree: async (peerPublicKey) => {
      let shared: Uint8Array;
      try {
        const peer = await crypto.subtle.importKey(
          "raw",
          peerPublicKey as BufferSource,
          { name: "X25519" },
          false,
          [],
        );
        shared = new Uint8Array(
          await crypto.subtle.deriveBits({ name: "X25519", public: peer }, privateKey, 256),
        );
      } catch (error) {
        throw hdpError(
          "PROTOCOL",
          "The relayed peer's ephemeral key is not a usable X25519 key",
          error,
        );
      }
      // a low-order point gives all zeros (WebCrypto should refuse it already): nothing secret
      if (shared.every((byte) => byte === 0)) {
        throw hdpError("PROTOCOL", "The relayed peer's ephemeral key is of low order");
      }
      return shared;
    },
  };
}
