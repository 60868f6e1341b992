/**
 * The `openssl` command line (Debian's package) as a second TLS stack: the direct listener check
 * of PROTOCOL.md done by OpenSSL itself, and `s_server` / `s_client` for real TLS 1.3 handshakes.
 */
import { join } from "node:path";
import { ALPN } from "../../src/wire/mod.ts";
import { SERVER_NAME } from "../../src/transport/mod.ts";

const OPENSSL = Deno.env.get("HDP_OPENSSL") ?? "openssl";
/** Guards against a hung child, never a measure of speed. */
const CHILD_LIMIT_MS = 15_000;

/** What a finished `openssl` run said. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Why the OpenSSL tests cannot run here, or undefined when the command is installed. */
export function opensslMissing(): string | undefined {
  try {
    const { success } = new Deno.Command(OPENSSL, { args: ["version"], stdout: "null" })
      .outputSync();
    if (success) return undefined;
  } catch {
    // not there: say so below
  }
  return `no ${OPENSSL} command (apt-get install -y openssl, or set HDP_OPENSSL)`;
}

/** Runs `openssl` with `args` in `cwd` to completion, feeding it `stdin`. */
export async function openssl(args: string[], cwd: string, stdin = ""): Promise<Run> {
  const child = new Deno.Command(OPENSSL, {
    args,
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_LIMIT_MS),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** The SubjectPublicKeyInfo (DER) of a raw 32-byte ed25519 key, as the announce address has it. */
export async function spkiOf(publicKey: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", publicKey as BufferSource, "Ed25519", true, [
    "verify",
  ]);
  return new Uint8Array(await crypto.subtle.exportKey("spki", key));
}

/** What the direct check found: each half on its own, so a test can say which one failed. */
export interface DirectCheck {
  /** The certificate's subject public key is the expected key. */
  keyMatches: boolean;
  /** The certificate's signature verifies under its own key (the expected one when keyMatches). */
  selfSigned: boolean;
}

/**
 * PROTOCOL.md's check of a listener's certificate, done by OpenSSL: the public key that
 * `openssl x509 -pubkey` reads out of it against the expected key's SPKI, and its self-signature
 * by `openssl verify -check_ss_sig` with the certificate as its own (partial-chain) anchor.
 */
export async function checkListenerCertificate(
  dir: string,
  certPem: string,
  expectedKey: Uint8Array,
): Promise<DirectCheck> {
  const file = join(dir, `checked-${crypto.randomUUID()}.pem`);
  await Deno.writeTextFile(file, certPem);
  const key = await openssl(["x509", "-in", file, "-pubkey", "-noout"], dir);
  if (key.code !== 0) throw new Error(`openssl x509 failed: ${key.stderr}`);
  const verify = await openssl(
    ["verify", "-check_ss_sig", "-partial_chain", "-CAfile", file, file],
    dir,
  );
  return {
    keyMatches: pemBody(key.stdout) === base64Of(await spkiOf(expectedKey)),
    selfSigned: verify.code === 0 && verify.stdout.trim() === `${file}: OK`,
  };
}

/** `s_client` arguments that pin the expected key: DANE-EE, SPKI, exact match (`3 1 0`). */
export async function daneKeyPin(expectedKey: Uint8Array): Promise<string[]> {
  return [
    "-dane_tlsa_domain",
    SERVER_NAME,
    "-dane_tlsa_rrdata",
    `3 1 0 ${hexOf(await spkiOf(expectedKey))}`,
  ];
}

/** A running `openssl s_server`: TLS 1.3 only, our ALPN, echoing each line reversed. */
export interface TlsServer extends AsyncDisposable {
  readonly port: number;
  /** Everything the server printed, once it has exited (it serves one connection). */
  output(): Promise<string>;
}

/** Starts `s_server` on a free port of 127.0.0.1 with a PEM certificate and key. */
export async function startServer(
  dir: string,
  tls: { cert: string; key: string },
): Promise<TlsServer> {
  const id = crypto.randomUUID();
  const cert = join(dir, `server-${id}.pem`);
  const key = join(dir, `server-${id}.key`);
  await Deno.writeTextFile(cert, tls.cert);
  await Deno.writeTextFile(key, tls.key, { mode: 0o600 });
  const child = new Deno.Command(OPENSSL, {
    args: [
      "s_server",
      ...["-accept", "127.0.0.1:0", "-naccept", "1", "-tls1_3", "-alpn", ALPN, "-rev"],
      ...["-cert", cert, "-key", key],
    ],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_LIMIT_MS),
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await lines.read();
    if (done) {
      await child.status;
      throw new Error(`openssl s_server did not start: ${seen}${await stderr}`);
    }
    seen += value;
    const match = seen.match(/^ACCEPT 127\.0\.0\.1:(\d+)$/m);
    if (match) port = Number(match[1]);
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) return seen;
      seen += value;
    }
  })();
  return {
    port,
    output: async () => {
      await child.status;
      return `${await rest}${await stderr}`;
    },
    [Symbol.asyncDispose]: async () => {
      try {
        child.kill();
      } catch {
        // already exited
      }
      await child.status;
      await rest.catch(() => {});
      await stderr.catch(() => {});
    },
  };
}

/**
 * Connects `s_client` (TLS 1.3, our ALPN and server name, failing on any verification error) with
 * the given verification arguments, sends one line and closes: the server answers it reversed.
 */
export function connect(dir: string, port: number, verify: string[]): Promise<Run> {
  return openssl(
    [
      "s_client",
      ...["-connect", `127.0.0.1:${port}`, "-tls1_3", "-alpn", ALPN, "-servername", SERVER_NAME],
      ...["-verify_return_error", "-ign_eof", ...verify],
    ],
    dir,
    "hello\nCLOSE\n", // `-rev` closes on CLOSE, and s_client (-ign_eof) waits for that
  );
}

/** The server certificate `s_client` printed, as PEM. */
export function presentedCertificate(stdout: string): string {
  const match = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/);
  if (!match) throw new Error(`s_client printed no server certificate:\n${stdout}`);
  return match[0];
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

function base64Of(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
