/**
 * The requests that set up a relayed circuit (PROTOCOL.md, "Relayed circuits: the request"): A asks
 * its friend R for a stream to C (`relay`), R opens a stream to C and says who is on the other
 * end (`relayed`). Both are answered `ack` or an error; after the ack the stream carries the
 * circuit's bytes, which R copies between the two streams.
 */
import { hdpError } from "./errors.ts";
import { type Fields, served, version } from "./_checks.ts";

/** The size of a circuit's id: random, chosen by the requester, the same on both legs. */
export const CIRCUIT_ID_BYTES = 16;
/** The size of an identity key on the wire. */
const KEY_BYTES = 32;

/** A → R: open a circuit to the peer `to` (R must be connected to it). */
export interface RelayRequest {
  type: "relay";
  v: number;
  /** C's ed25519 key. */
  to: Uint8Array;
  /** {@link CIRCUIT_ID_BYTES} random bytes. */
  circuit: Uint8Array;
}

/** R → C: the peer `from` asks for a circuit to you through me. */
export interface RelayedRequest {
  type: "relayed";
  v: number;
  /** A's ed25519 key (A proves it in the end-to-end handshake; R could lie). */
  from: Uint8Array;
  /** The circuit's id, as A chose it. */
  circuit: Uint8Array;
}

/** Validates the fields of a `relay` request (its type already read). */
export function parseRelayRequest(fields: Fields): RelayRequest {
  return {
    type: "relay",
    v: version(fields),
    to: served.bytes(fields, "to", KEY_BYTES),
    circuit: served.bytes(fields, "circuit", CIRCUIT_ID_BYTES),
  };
}

/** Validates the fields of a `relayed` request (its type already read). */
export function parseRelayedRequest(fields: Fields): RelayedRequest {
  return {
    type: "relayed",
    v: version(fields),
    from: served.bytes(fields, "from", KEY_BYTES),
    circuit: served.bytes(fields, "circuit", CIRCUIT_ID_BYTES),
  };
}

/** Refuses a circuit id of the wrong size before it is sent (ours are always right). */
export function checkCircuit(circuit: Uint8Array): Uint8Array {
  if (circuit.length !== CIRCUIT_ID_BYTES) {
    throw hdpError("BAD_REQUEST", `A circuit id is ${CIRCUIT_ID_BYTES} bytes`);
  }
  return circuit;
}
