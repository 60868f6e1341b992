/**
 * CBOR for the wire, with cbor-x's extensions off (no records, no tagged typed arrays) so that any
 * CBOR library can read and write the protocol.
 */
import { Decoder, Encoder } from "cbor-x/encode";
import { hdpError } from "./errors.ts";

const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/** Encodes a message as CBOR. */
export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** Decodes CBOR from a peer; throws `PROTOCOL` when it is not valid CBOR. */
export function decodeCbor(bytes: Uint8Array): unknown {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw hdpError("PROTOCOL", "Cannot decode the message: not valid CBOR", error);
  }
}
