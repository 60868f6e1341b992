/**
 * Authenticating the dialer. TLS proves the listener's key to the dialer (see certificate.ts), but
 * Deno's QUIC has no client certificates, so the dialer proves its key on the connection's first
 * stream: it signs a fresh nonce of the listener's together with both keys, so a signature can
 * be neither replayed nor relayed to a third peer.
 */
import {
  type Challenge,
  encodeFrame,
  FrameReader,
  hdpError,
  type Hello,
  parseHandshake,
  type Proof,
  PROTOCOL_VERSION,
  type Welcome,
} from "../wire/mod.ts";
import { type Identity, verifySignature } from "./identity.ts";
import { toHex } from "./names.ts";

const CONTEXT = new TextEncoder().encode("hdp-auth-v1");

/** The bytes the dialer signs. */
export function proofPayload(
  nonce: Uint8Array,
  listenerKey: Uint8Array,
  dialerKey: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(CONTEXT.length + 32 * 3);
  out.set(CONTEXT);
  out.set(nonce, CONTEXT.length);
  out.set(listenerKey, CONTEXT.length + 32);
  out.set(dialerKey, CONTEXT.length + 64);
  return out;
}

/** A host and port as the other side saw it. */
export interface SeenAddress {
  ip: string;
  port: number;
}

/**
 * Dialer side: proves `identity` to the listener whose key TLS has verified. Returns the address
 * the listener sees us at.
 */
export async function proveIdentity(
  stream: Deno.QuicBidirectionalStream,
  identity: Identity,
  listenerKey: Uint8Array,
): Promise<SeenAddress> {
  const writer = stream.writable.getWriter();
  const reader = new FrameReader(stream.readable);
  try {
    const hello: Hello = { type: "hello", v: PROTOCOL_VERSION, key: identity.publicKey };
    await writer.write(encodeFrame(hello));
    const challenge = parseHandshake<Challenge>(await reader.readFrame(), "challenge");
    const signature = await identity.sign(
      proofPayload(challenge.nonce, listenerKey, identity.publicKey),
    );
    const proof: Proof = { type: "proof", signature };
    await writer.write(encodeFrame(proof));
    parseHandshake<Welcome>(await reader.readFrame(), "welcome");
    await writer.close();
    return challenge.observed;
  } finally {
    writer.releaseLock();
  }
}

/**
 * Listener side: reads the dialer's claim from the first stream, challenges it and checks the
 * signature. Returns the dialer's key; throws `UNAUTHORIZED` (or `PROTOCOL`) otherwise, after
 * telling the dialer why.
 */
export async function checkIdentity(
  stream: Deno.QuicBidirectionalStream,
  identity: Identity,
  seenAt: SeenAddress,
  options: { admit?: ((keyHex: string) => boolean) | undefined } = {},
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = new FrameReader(stream.readable);
  try {
    let hello: Hello;
    try {
      hello = parseHandshake<Hello>(await reader.readFrame(4096), "hello");
    } catch (error) {
      throw hdpError(
        "UNAUTHORIZED",
        "The first stream must be a hello: authenticate before any request",
        error,
      );
    }
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const challenge: Challenge = { type: "challenge", nonce, observed: seenAt };
    await writer.write(encodeFrame(challenge));
    const proof = parseHandshake<Proof>(await reader.readFrame(4096), "proof");
    const valid = await verifySignature(
      hello.key,
      proofPayload(nonce, identity.publicKey, hello.key),
      proof.signature,
    );
    if (!valid) throw hdpError("UNAUTHORIZED", "The dialer's signature does not match its key");
    if (options.admit && !options.admit(toHex(hello.key))) {
      // only now: the key is proven, so a refusal says nothing to someone who merely claims it
      throw hdpError("FORBIDDEN", "This node does not accept connections from you");
    }
    const welcome: Welcome = { type: "welcome" };
    await writer.write(encodeFrame(welcome));
    await writer.close();
    return hello.key;
  } catch (error) {
    const coded = error instanceof Error && "code" in error
      ? error as Error & { code: string }
      : null;
    await writer.write(encodeFrame({
      type: "error",
      code: coded?.code ?? "UNAUTHORIZED",
      message: coded?.message ?? "Authentication failed",
    })).catch(() => {});
    await writer.close().catch(() => {});
    throw error;
  } finally {
    writer.releaseLock();
  }
}
