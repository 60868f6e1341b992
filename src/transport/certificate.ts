/**
 * TLS certificates that carry an ed25519 identity. The listener presents a self-signed certificate
 * for its key. The dialer knows only the key from the announce address, so it trusts a "trust
 * anchor" it builds from that key: a certificate with the same subject whose public key is the
 * expected key. rustls then accepts exactly a certificate signed by that key's owner. (It does not
 * check an anchor's own signature, so any throwaway key may sign the anchor.) This is a webpki-only
 * shortcut: OpenSSL and BoringSSL refuse it, and dialers on them check the certificate's key
 * directly (PROTOCOL.md, "Proving the listener").
 */
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import * as x509 from "@peculiar/x509";
import type { Identity } from "./identity.ts";
import { toHex } from "./names.ts";
import { toPem } from "./_pem.ts";

/** The TLS server name of every listener; the key, not the name, is what is checked. */
export const SERVER_NAME = "harddrive-party";
const ALGORITHM = { name: "Ed25519" };
const NOT_BEFORE = new Date("2000-01-01T00:00:00Z");
const NOT_AFTER = new Date("9999-12-31T23:59:59Z");

/** PEM certificate and key for a QUIC listener. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/** The subject that names a key in certificates: `CN=<hex key>`. */
export function subjectFor(publicKey: Uint8Array): string {
  return `CN=${toHex(publicKey)}`;
}

/** Builds the listener's self-signed certificate for an identity. */
export async function listenerCertificate(identity: Identity): Promise<TlsIdentity> {
  const publicKey = await importPublicKey(identity.publicKey);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: subjectFor(identity.publicKey),
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: ALGORITHM,
    keys: { publicKey, privateKey: identity.privateKey },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: SERVER_NAME }])],
  });
  return { cert: cert.toString("pem"), key: toPem("PRIVATE KEY", identity.pkcs8) };
}

const anchors = new Map<string, Promise<string>>();

/** The trust anchor (PEM) that accepts only a listener holding `publicKey`; cached per key. */
export function trustAnchorFor(publicKey: Uint8Array): Promise<string> {
  const id = toHex(publicKey);
  let anchor = anchors.get(id);
  if (!anchor) {
    anchor = buildAnchor(publicKey);
    anchors.set(id, anchor);
    anchor.catch(() => anchors.delete(id));
    if (anchors.size > 1000) anchors.delete(anchors.keys().next().value!);
  }
  return anchor;
}

async function buildAnchor(publicKey: Uint8Array): Promise<string> {
  const throwaway = await crypto.subtle.generateKey(ALGORITHM, false, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const name = subjectFor(publicKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject: name,
    issuer: name,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: ALGORITHM,
    publicKey: await importPublicKey(publicKey),
    signingKey: throwaway.privateKey,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return cert.toString("pem");
}

function importPublicKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw as BufferSource, ALGORITHM, true, ["verify"]);
}
