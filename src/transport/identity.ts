/**
 * The node's ed25519 identity: created on first start, kept in the storage dir (mode 0600) and
 * reused on every restart.
 */
import { dirname, join } from "node:path";
import { logger } from "../log.ts";
import { hdpError } from "../wire/mod.ts";
import { displayName, toHex } from "./names.ts";
import { toPem } from "./_pem.ts";

const log = logger("identity");

/** The file in the storage dir that holds the private key (PKCS#8 PEM). */
export const IDENTITY_FILE = "identity.pem";

/** A node's key pair with its derived names. */
export interface Identity {
  /** The 32-byte raw ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Lower-case hex of {@link publicKey}. */
  readonly publicKeyHex: string;
  /** The adjective+animal display name. */
  readonly name: string;
  /** The private key as PKCS#8 DER, for building the TLS certificate. */
  readonly pkcs8: Uint8Array;
  /** The WebCrypto private key, for signing. */
  readonly privateKey: CryptoKey;
  /** Signs bytes with the private key. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Loads the identity from `storageDir`, creating it on first use. */
export async function loadOrCreateIdentity(storageDir: string): Promise<Identity> {
  const path = join(storageDir, IDENTITY_FILE);
  let pem: string;
  try {
    pem = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return await createIdentity(path);
  }
  await ensurePrivateMode(path);
  return await identityFromPkcs8(pemToDer(pem, path));
}

/** Builds an identity from PKCS#8 DER bytes of an ed25519 private key. */
export async function identityFromPkcs8(pkcs8: Uint8Array): Promise<Identity> {
  const extractable = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8 as BufferSource,
    "Ed25519",
    true,
    ["sign"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  if (!jwk.x) throw hdpError("INTERNAL", "Cannot derive the public key from the identity file");
  const publicKey = base64UrlDecode(jwk.x);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8 as BufferSource,
    "Ed25519",
    false,
    ["sign"],
  );
  return {
    publicKey,
    publicKeyHex: toHex(publicKey),
    name: displayName(publicKey),
    pkcs8,
    privateKey,
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, data as BufferSource)),
  };
}

/** Makes a fresh identity that is not stored anywhere (tests, throwaway keys). */
export async function generateIdentity(): Promise<Identity> {
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return await identityFromPkcs8(pkcs8);
}

/** Verifies an ed25519 signature by a raw 32-byte public key; false for any malformed input. */
export async function verifySignature(
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", publicKey as BufferSource, "Ed25519", false, [
      "verify",
    ]);
    return await crypto.subtle.verify(
      "Ed25519",
      key,
      signature as BufferSource,
      data as BufferSource,
    );
  } catch {
    return false;
  }
}

async function createIdentity(path: string): Promise<Identity> {
  const identity = await generateIdentity();
  const pem = toPem("PRIVATE KEY", identity.pkcs8);
  // createNew: two daemons starting at once on one storage dir must not overwrite each other's key.
  try {
    await Deno.writeTextFile(path, pem, { mode: 0o600, createNew: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      return await loadOrCreateIdentity(dirname(path));
    }
    throw error;
  }
  await Deno.chmod(path, 0o600); // the umask may have narrowed it differently
  log.info("created a new identity", { name: identity.name, file: path });
  return identity;
}

async function ensurePrivateMode(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  const { mode } = await Deno.stat(path);
  if (mode !== null && (mode & 0o077) !== 0) {
    log.warn("identity file was readable by others; making it private", { file: path });
    await Deno.chmod(path, 0o600);
  }
}

function pemToDer(pem: string, path: string): Uint8Array {
  const match = pem.match(
    /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/,
  );
  if (!match?.[1]) throw hdpError("IO", `Cannot read the identity file "${path}": not a PEM key`);
  const binary = atob(match[1].replace(/\s+/g, ""));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
