/**
 * CBOR for the wire, with cbor-x's extensions off (no records, no tagged typed arrays) so that any
 * CBOR library can read and write the protocol.
 */
import { Decoder, Encoder, type Options } from "cbor-x/encode";
import { hdpError } from "./errors.ts";

const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
// int64AsNumber (in cbor-x's README, missing from its types): an 8-byte integer decodes as a
// number, not a BigInt; the field checks refuse one above 2^53 - 1
const decoder = new Decoder(
  { useRecords: false, mapsAsObjects: true, int64AsNumber: true } as Options,
);

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
