/**
 * The relayed session's key schedule: the transcript that binds a handshake to its circuit and
 * its four keys, the bytes each side signs, and the two direction keys HKDF-SHA256 derives from
 * the X25519 shared secret with the transcript hash as salt (PROTOCOL.md, "Relayed circuits: the
 * end-to-end session").
 */
import { hdpError } from "../wire/mod.ts";
import { concat, utf8 } from "./_bytes.ts";

/** The protocol label: every other label starts with it, so a new version changes them all. */
export const SESSION_LABEL = "hdp-relay-v1";
const TRANSCRIPT_LABEL = utf8(`${SESSION_LABEL}/transcript`);
const SIGNED_LABEL = {
  initiator: utf8(`${SESSION_LABEL}/initiator`),
  responder: utf8(`${SESSION_LABEL}/responder`),
} as const;
const INFO_I2R = utf8(`${SESSION_LABEL}/initiator to responder`);
const INFO_R2I = utf8(`${SESSION_LABEL}/responder to initiator`);

/** The longest circuit id (its length travels in one byte of the transcript). */
export const MAX_CIRCUIT_ID = 255;

/** Which end of the circuit: the initiator asked the relay for it, the responder was called. */
export type Role = "initiator" | "responder";

/** What the transcript binds. All keys are 32 raw bytes. */
export interface TranscriptParts {
  /** The circuit's id as the relay gave it to both ends, 1 to 255 bytes. */
  circuitId: Uint8Array;
  /** The initiator's ed25519 identity key. */
  initiatorKey: Uint8Array;
  /** The responder's ed25519 identity key. */
  responderKey: Uint8Array;
  /** The initiator's ephemeral X25519 key. */
  initiatorEphemeral: Uint8Array;
  /** The responder's ephemeral X25519 key. */
  responderEphemeral: Uint8Array;
}

/** The two AES-256-GCM keys of a session, raw (32 bytes each). */
export interface DirectionKeys {
  initiatorToResponder: Uint8Array;
  responderToInitiator: Uint8Array;
}

/** Refuses a circuit id of the wrong length (a caller's mistake, not the peer's). */
export function checkCircuitId(circuitId: Uint8Array): void {
  if (circuitId.length < 1 || circuitId.length > MAX_CIRCUIT_ID) {
    throw hdpError(
      "BAD_REQUEST",
      `A circuit id is 1 to ${MAX_CIRCUIT_ID} bytes, not ${circuitId.length}`,
    );
  }
}

/**
 * The transcript: `"hdp-relay-v1/transcript" ‖ len(circuit id) (1 byte) ‖ circuit id ‖
 * initiator key ‖ responder key ‖ initiator ephemeral ‖ responder ephemeral`.
 */
export function transcriptBytes(parts: TranscriptParts): Uint8Array {
  checkCircuitId(parts.circuitId);
  return concat(
    TRANSCRIPT_LABEL,
    Uint8Array.of(parts.circuitId.length),
    parts.circuitId,
    parts.initiatorKey,
    parts.responderKey,
    parts.initiatorEphemeral,
    parts.responderEphemeral,
  );
}

/** SHA-256 of {@link transcriptBytes}: the salt of the keys and what both signatures cover. */
export async function transcriptHash(parts: TranscriptParts): Promise<Uint8Array> {
  const bytes = transcriptBytes(parts);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

/**
 * What `role` signs: `"hdp-relay-v1/initiator"` or `"hdp-relay-v1/responder"` ‖ transcript hash.
 * The role in the label stops a relay from reflecting one side's signature back as the other's.
 */
export function signedBytes(role: Role, hash: Uint8Array): Uint8Array {
  return concat(SIGNED_LABEL[role], hash);
}

/** HKDF-SHA256 of the shared secret, salt the transcript hash: one key for each direction. */
export async function deriveDirectionKeys(
  sharedSecret: Uint8Array,
  hash: Uint8Array,
): Promise<DirectionKeys> {
  const ikm = await crypto.subtle.importKey(
    "raw",
    sharedSecret as BufferSource,
    "HKDF",
    false,
    ["deriveBits"],
  );
  const expand = async (info: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: hash as BufferSource, info: info as BufferSource },
        ikm,
        256,
      ),
    );
  return {
    initiatorToResponder: await expand(INFO_I2R),
    responderToInitiator: await expand(INFO_R2I),
  };
}
