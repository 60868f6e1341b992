/**
 * CBOR for the wire, with cbor-x's extensions off (no records, no tagged typed arrays) so that any
 * CBOR library can read and write the protocol. Whole numbers go out as CBOR integers in their
 * shortest form and text as valid UTF-8; what comes in is refused when its text is not UTF-8.
 */
import { Decoder, Encoder, type Options } from "cbor-x/encode";
import { hasInvalidText, hasReplacement, NOT_UTF8 } from "./_invalid_text.ts";
import { hdpError } from "./errors.ts";

// variableMapSize: a map's length in its shortest form too, as RFC 8949's preferred serialization says
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true });
// int64AsNumber (in cbor-x's README, missing from its types): an 8-byte integer decodes as a
// number, not a BigInt; the field checks refuse one above 2^53 - 1
const decoder = new Decoder(
  { useRecords: false, mapsAsObjects: true, int64AsNumber: true } as Options,
);

/** Encodes a message as CBOR. */
export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(forWire(value));
}

/**
 * Decodes CBOR from a peer; throws `PROTOCOL` when it is not valid CBOR. A message with text that
 * is not valid UTF-8 decodes as {@link NOT_UTF8}, which the field checks refuse with their code.
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (error) {
    throw hdpError("PROTOCOL", "Cannot decode the message: not valid CBOR", error);
  }
  // cbor-x puts U+FFFD for bytes that are not UTF-8: only a message holding one is looked at again
  if (hasReplacement(value) && hasInvalidText(bytes)) return NOT_UTF8;
  return value;
}

/** Whole numbers beyond these cbor-x writes as floats, unless they are BigInts. */
const MAX_INT32_FORM = 2 ** 32 - 1;
const MIN_INT32_FORM = -(2 ** 32);

/**
 * The message as cbor-x should see it: a whole number beyond 32 bits as a BigInt (a CBOR integer
 * with an 8-byte argument), text with lone surrogates as well-formed text (cbor-x would write
 * bytes that are not UTF-8). Copies only the maps and arrays that change.
 */
function forWire(value: unknown): unknown {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && (value > MAX_INT32_FORM || value < MIN_INT32_FORM)
      ? BigInt(value)
      : value;
  }
  if (typeof value === "string") return value.isWellFormed() ? value : value.toWellFormed();
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((element, i) => {
      const wire = forWire(element);
      if (!Object.is(wire, element)) (copy ??= [...value])[i] = wire;
    });
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const wire = forWire(field);
    if (!Object.is(wire, field)) (copy ??= { ...value })[key] = wire;
  }
  return copy ?? value;
}
