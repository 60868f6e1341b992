/**
 * The public face of src/relay/: the end-to-end session two peers run over a relayed circuit
 * (a friend copying bytes between them), so the relay sees only ciphertext and lengths.
 */
export type { Duplex } from "./duplex.ts";
export { generateEphemeralKey } from "./ephemeral_key.ts";
export type { EphemeralKey } from "./ephemeral_key.ts";
export { initiateSecureChannel, respondSecureChannel, SecureChannel } from "./secure_channel.ts";
export {
  FrameOpener,
  FrameSealer,
  HEADER_BYTES,
  MAX_FRAMES,
  MAX_PLAINTEXT,
  TAG_BYTES,
} from "./secure_frame.ts";
export type { OpenedFrame } from "./secure_frame.ts";
export { initiateHandshake, respondHandshake } from "./session_handshake.ts";
export type {
  Handshaken,
  HandshakeOptions,
  InitiateOptions,
  RespondOptions,
  Session,
} from "./session_handshake.ts";
export { SESSION_LABEL } from "./session_keys.ts";
export type { Role } from "./session_keys.ts";
export { MAX_CIRCUITS, RelayGate } from "./relay_gate.ts";
export type { RelayGateOptions } from "./relay_gate.ts";
export { RELAYED_KEEPALIVE_MS, RelayedConnection } from "./relayed_connection.ts";
export { rankRelays } from "./relay_choice.ts";
export type { RelayedConnectionOptions } from "./relayed_connection.ts";
export { splice } from "./splice.ts";
export type { Spliced, SpliceOptions, Toward } from "./splice.ts";
