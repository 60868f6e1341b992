/**
 * The relayed handshake: how two peers joined through a relay (a friend copying bytes between a
 * stream to each) agree on keys that the relay cannot learn, change or replay.
 *
 * Design (SIGMA-style signed Diffie-Hellman in three messages; PROTOCOL.md, "Relayed circuits:
 * the end-to-end session"):
 *
 * 1. initiator → responder `hello`: a fresh ephemeral X25519 key `eI` and the initiator's
 *    ed25519 identity key `I`.
 * 2. responder → initiator `reply`: a fresh `eR`, its identity key `R` and its signature of
 *    `"hdp-relay-v1/responder" ‖ H`, where `H = SHA-256(transcript)` and the transcript is the
 *    label, the circuit id, `I`, `R`, `eI` and `eR`.
 * 3. initiator → responder `finish`: its signature of `"hdp-relay-v1/initiator" ‖ H`.
 *
 * Each side signs the other's fresh ephemeral key, so an old handshake cannot be replayed; each
 * signs both identity keys, so a relay cannot pass one peer's signature off in a session with a
 * third (no identity misbinding); the role in the label stops a signature from being reflected;
 * the circuit id stops a relay from splicing two circuits. A relay that runs its own handshakes
 * with both ends can sign only with its own key, which the initiator refuses (it knows the key it
 * expects) and the responder's `accept` judges. Keys: HKDF-SHA256 of the X25519 shared secret,
 * salt `H`, one key per direction. The responder sends nothing encrypted before it has checked
 * the finish. The identity keys travel in clear: the relay knows both ends anyway.
 */
import { type Identity, toHex, verifySignature } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";
import { ByteReader } from "./_byte_reader.ts";
import { sameBytes } from "./_bytes.ts";
import type { Duplex } from "./duplex.ts";
import { type EphemeralKey, generateEphemeralKey } from "./ephemeral_key.ts";
import { importFrameKey } from "./secure_frame.ts";
import {
  checkCircuitId,
  deriveDirectionKeys,
  type Role,
  signedBytes,
  transcriptHash,
  type TranscriptParts,
} from "./session_keys.ts";
import {
  checkType,
  encodeFinish,
  encodeHello,
  encodeReply,
  MESSAGE_BYTES,
  type MessageName,
  parseFinish,
  parseHello,
  parseReply,
} from "./session_messages.ts";

/** The outcome of a handshake: who the peer is and the keys of the two directions. */
export interface Session {
  readonly role: Role;
  /** Our ed25519 identity key. */
  readonly localKey: Uint8Array;
  /** The peer's ed25519 identity key, proven by its signature. */
  readonly peerKey: Uint8Array;
  /** `H`, the transcript hash: the same on both ends, unique to this session. */
  readonly transcriptHash: Uint8Array;
  /** AES-256-GCM key of what we send (not extractable). */
  readonly sendKey: CryptoKey;
  /** AES-256-GCM key of what we receive (not extractable). */
  readonly receiveKey: CryptoKey;
}

/** A finished handshake and the stream to carry the session's frames on. */
export interface Handshaken {
  readonly session: Session;
  /** The stream after the handshake's bytes (any bytes read past them come first). */
  readonly stream: Duplex;
}

/** Options of both ends of the handshake. */
export interface HandshakeOptions {
  /** The circuit's id, as the relay gave it to both ends: 1 to 255 bytes. */
  circuitId: Uint8Array;
  /** Gives up the handshake (a timeout): the stream is stopped and the reason thrown. */
  signal?: AbortSignal;
  /** The ephemeral key; default a fresh one. Known-answer tests fix it: never reuse one. */
  ephemeral?: EphemeralKey;
}

/** Options of {@link initiateHandshake}. */
export interface InitiateOptions extends HandshakeOptions {
  /** The ed25519 key of the peer we asked the relay for: any other is refused. */
  peerKey: Uint8Array;
}

/** Options of {@link respondHandshake}. */
export interface RespondOptions extends HandshakeOptions {
  /** Whether to talk to this (proven) initiator key; asked after its signature checks out. */
  accept: (peerKey: Uint8Array) => boolean | Promise<boolean>;
}

/**
 * Runs the initiator's side over `stream`. Throws `UNAUTHORIZED` when the responder is not
 * `peerKey` or its signature fails, `PROTOCOL` for a malformed or cut message; on failure both
 * directions of the stream are stopped.
 */
export async function initiateHandshake(
  stream: Duplex,
  identity: Identity,
  options: InitiateOptions,
): Promise<Handshaken> {
  checkCircuitId(options.circuitId);
  return await withStream(stream, options.signal, async (reader, writer) => {
    const ephemeral = options.ephemeral ?? await generateEphemeralKey();
    await writer.write(encodeHello({ ephemeral: ephemeral.publicKey, key: identity.publicKey }));
    const reply = parseReply(await readMessage(reader, "reply", options.signal));
    if (!sameBytes(reply.key, options.peerKey)) {
      throw hdpError(
        "UNAUTHORIZED",
        `The relayed peer is ${short(reply.key)}, not the expected ${short(options.peerKey)}`,
      );
    }
    const hash = await transcriptHash({
      circuitId: options.circuitId,
      initiatorKey: identity.publicKey,
      responderKey: reply.key,
      initiatorEphemeral: ephemeral.publicKey,
      responderEphemeral: reply.ephemeral,
    });
    await checkSignature(reply.key, signedBytes("responder", hash), reply.signature);
    const shared = await ephemeral.agree(reply.ephemeral);
    const signature = await identity.sign(signedBytes("initiator", hash));
    await writer.write(encodeFinish({ signature }));
    return await session("initiator", identity.publicKey, reply.key, hash, shared);
  });
}

/**
 * Runs the responder's side over `stream`. Throws `UNAUTHORIZED` when the initiator's signature
 * fails, `FORBIDDEN` when `accept` says no, `PROTOCOL` for a malformed or cut message; on failure
 * both directions of the stream are stopped.
 */
export async function respondHandshake(
  stream: Duplex,
  identity: Identity,
  options: RespondOptions,
): Promise<Handshaken> {
  checkCircuitId(options.circuitId);
  return await withStream(stream, options.signal, async (reader, writer) => {
    const hello = parseHello(await readMessage(reader, "hello", options.signal));
    const ephemeral = options.ephemeral ?? await generateEphemeralKey();
    const parts: TranscriptParts = {
      circuitId: options.circuitId,
      initiatorKey: hello.key,
      responderKey: identity.publicKey,
      initiatorEphemeral: hello.ephemeral,
      responderEphemeral: ephemeral.publicKey,
    };
    const hash = await transcriptHash(parts);
    const shared = await ephemeral.agree(hello.ephemeral);
    const signature = await identity.sign(signedBytes("responder", hash));
    await writer.write(
      encodeReply({ ephemeral: ephemeral.publicKey, key: identity.publicKey, signature }),
    );
    const finish = parseFinish(await readMessage(reader, "finish", options.signal));
    await checkSignature(hello.key, signedBytes("initiator", hash), finish.signature);
    // asked only after the proof, so a key merely claimed learns nothing of the policy
    if (!(await options.accept(hello.key))) {
      throw hdpError("FORBIDDEN", `The relayed peer ${short(hello.key)} is not accepted`);
    }
    return await session("responder", identity.publicKey, hello.key, hash, shared);
  });
}

type Writer = WritableStreamDefaultWriter<Uint8Array>;

/** Runs `steps` with the stream locked; stops both directions when they fail or `signal` fires. */
async function withStream(
  stream: Duplex,
  signal: AbortSignal | undefined,
  steps: (reader: ByteReader, writer: Writer) => Promise<Session>,
): Promise<Handshaken> {
  signal?.throwIfAborted();
  const reader = new ByteReader(stream.readable);
  const writer = stream.writable.getWriter();
  const stop = (reason: unknown): void => {
    void reader.cancel(reason);
    writer.abort(reason).catch(() => {});
  };
  const onAbort = (): void => stop(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await steps(reader, writer);
    writer.releaseLock();
    return { session: result, stream: { readable: reader.rest(), writable: stream.writable } };
  } catch (error) {
    const reason = signal?.aborted ? signal.reason : error;
    stop(reason);
    throw reason;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Reads one message: its type byte first, so a wrong one is refused without waiting for more. */
async function readMessage(
  reader: ByteReader,
  name: MessageName,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const type = await reader.read(1);
  if (type) checkType(type[0]!, name);
  const rest = type && await reader.read(MESSAGE_BYTES[name] - 1);
  if (!type || !rest) {
    signal?.throwIfAborted();
    throw hdpError("PROTOCOL", `The relayed stream ended before the handshake's ${name}`);
  }
  const message = new Uint8Array(MESSAGE_BYTES[name]);
  message.set(type);
  message.set(rest, 1);
  return message;
}

async function checkSignature(
  key: Uint8Array,
  signed: Uint8Array,
  signature: Uint8Array,
): Promise<void> {
  if (!(await verifySignature(key, signed, signature))) {
    throw hdpError(
      "UNAUTHORIZED",
      `The relayed peer ${short(key)} failed to sign the handshake: the relay may be tampering`,
    );
  }
}

async function session(
  role: Role,
  localKey: Uint8Array,
  peerKey: Uint8Array,
  hash: Uint8Array,
  shared: Uint8Array,
): Promise<Session> {
  const keys = await deriveDirectionKeys(shared, hash);
  const [send, receive] = role === "initiator"
    ? [keys.initiatorToResponder, keys.responderToInitiator]
    : [keys.responderToInitiator, keys.initiatorToResponder];
  return {
    role,
    localKey,
    peerKey,
    transcriptHash: hash,
    sendKey: await importFrameKey(send, "encrypt"),
    receiveKey: await importFrameKey(receive, "decrypt"),
  };
}

/** A key prefix for messages: enough to tell peers apart. */
function short(key: Uint8Array): string {
  return `${toHex(key.subarray(0, 8))}…`;
}
