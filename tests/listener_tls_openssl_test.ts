/**
 * PROTOCOL.md's "Proving the listener" on a TLS stack that is not rustls: OpenSSL (the `openssl`
 * command) checks our real listener certificate directly, shakes hands with a listener holding it,
 * and refuses the trust-anchor trick that only webpki accepts. Skipped, with the reason printed,
 * where `openssl` is not installed.
 */
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import {
  generateIdentity,
  listenerCertificate,
  SERVER_NAME,
  toHex,
  trustAnchorFor,
} from "../src/transport/mod.ts";
import { tempDir } from "./helpers/daemon.ts";
import {
  checkListenerCertificate,
  connect,
  daneKeyPin,
  opensslMissing,
  presentedCertificate,
  startServer,
} from "./helpers/openssl.ts";

const missing = opensslMissing();
if (missing) console.log(`Skipping the OpenSSL interoperability tests: ${missing}`);
const ignore = missing !== undefined;

/** A certificate like a listener's for `publicKey`, but signed by a key its holder never had. */
async function forgedCertificate(publicKey: Uint8Array): Promise<string> {
  const forger = await generateIdentity();
  const name = `CN=${toHex(publicKey)}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject: name,
    issuer: name,
    notBefore: new Date("2000-01-01T00:00:00Z"),
    notAfter: new Date("9999-12-31T23:59:59Z"),
    signingAlgorithm: { name: "Ed25519" },
    publicKey: await crypto.subtle.importKey("raw", publicKey as BufferSource, "Ed25519", true, [
      "verify",
    ]),
    signingKey: forger.privateKey,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: SERVER_NAME }])],
  });
  return cert.toString("pem");
}

Deno.test({
  name: "OpenSSL finds our listener's certificate holds the expected key and is signed by it",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const identity = await generateIdentity();
    const { cert } = await listenerCertificate(identity);
    assert.deepEqual(await checkListenerCertificate(tmp.path, cert, identity.publicKey), {
      keyMatches: true,
      selfSigned: true,
    });
  },
});

Deno.test({
  name: "the direct check refuses a listener certificate for another key",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const expected = await generateIdentity();
    const { cert } = await listenerCertificate(await generateIdentity());
    assert.deepEqual(await checkListenerCertificate(tmp.path, cert, expected.publicKey), {
      keyMatches: false,
      selfSigned: true,
    });
  },
});

Deno.test({
  name: "the direct check refuses a certificate with the expected key that another key signed",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const expected = await generateIdentity();
    const cert = await forgedCertificate(expected.publicKey);
    assert.deepEqual(await checkListenerCertificate(tmp.path, cert, expected.publicKey), {
      keyMatches: true,
      selfSigned: false,
    });
  },
});

Deno.test({
  name: "OpenSSL dials our listener over TLS 1.3 by pinning its key, and the certificate passes",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const identity = await generateIdentity();
    const tls = await listenerCertificate(identity);
    await using server = await startServer(tmp.path, tls);
    const client = await connect(tmp.path, server.port, await daneKeyPin(identity.publicKey));
    assert.equal(client.code, 0, client.stdout + client.stderr);
    assert.match(client.stdout, /^New, TLSv1\.3, /m);
    assert.match(client.stdout, /^ALPN protocol: harddrive-party\/1$/m);
    // the handshake's CertificateVerify, signed by the listener's ed25519 key
    assert.match(client.stdout, /^Peer signature type: ed25519$/m);
    assert.match(client.stdout, /^Verify return code: 0 \(ok\)$/m);
    assert.match(client.stdout, /^olleh$/m); // the connection carries data both ways
    const presented = presentedCertificate(client.stdout);
    assert.equal(presented.trim(), tls.cert.trim());
    assert.deepEqual(await checkListenerCertificate(tmp.path, presented, identity.publicKey), {
      keyMatches: true,
      selfSigned: true,
    });
  },
});

Deno.test({
  name: "OpenSSL refuses the webpki trust-anchor trick with unknown ca, even with -partial_chain",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const identity = await generateIdentity();
    const anchor = `${tmp.path}/anchor.pem`;
    await Deno.writeTextFile(anchor, await trustAnchorFor(identity.publicKey));
    for (const extra of [[], ["-partial_chain"]]) {
      await using server = await startServer(tmp.path, await listenerCertificate(identity));
      const client = await connect(tmp.path, server.port, ["-CAfile", anchor, ...extra]);
      assert.notEqual(client.code, 0, `${extra}: ${client.stdout}`);
      // our certificate names itself as issuer, so OpenSSL takes it for a root of its own
      assert.match(client.stdout, /^Verify return code: 18 \(self-signed certificate\)$/m);
      assert.match(await server.output(), /alert unknown ca/);
    }
  },
});

Deno.test({
  name: "OpenSSL pinning the expected key refuses a listener that holds another key",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const expected = await generateIdentity();
    const other = await generateIdentity();
    await using server = await startServer(tmp.path, await listenerCertificate(other));
    const client = await connect(tmp.path, server.port, await daneKeyPin(expected.publicKey));
    assert.notEqual(client.code, 0, client.stdout);
    assert.match(client.stdout, /^Verify return code: 65 \(no matching DANE TLSA records\)$/m);
    assert.doesNotMatch(client.stdout, /^olleh$/m);
  },
});
