/**
 * Field checks for decoded CBOR from a peer, private to wire/: each throws one code, `BAD_REQUEST`
 * for what a node receives to serve, `PROTOCOL` for answers.
 */
import { NOT_UTF8 } from "./_invalid_text.ts";
import { type ErrorCode, hdpError } from "./errors.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";

/** The longest text field accepted. */
export const MAX_TEXT = 4096;

/** A decoded CBOR map. */
export type Fields = Record<string, unknown>;

/** Field checks that throw one code: `BAD_REQUEST` for what a node serves, `PROTOCOL` for answers. */
export interface Checks {
  object(value: unknown, what: string): Fields;
  text(fields: Fields, name: string, optional?: boolean): string | undefined;
  count(fields: Fields, name: string, optional?: boolean): number | undefined;
  bytes(fields: Fields, name: string, length: number): Uint8Array;
}

function checks(code: ErrorCode): Checks {
  return {
    object(value, what) {
      if (value === NOT_UTF8) throw hdpError(code, `${what} has text that is not valid UTF-8`);
      if (
        typeof value !== "object" || value === null || Array.isArray(value) ||
        value instanceof Uint8Array
      ) {
        throw hdpError(code, `${what} must be a CBOR map`);
      }
      return value as Fields;
    },
    text(fields, name, optional = false) {
      const value = fields[name];
      if (value === undefined && optional) return undefined;
      if (typeof value !== "string" || value.length > MAX_TEXT) {
        throw hdpError(code, `"${name}" must be text of at most ${MAX_TEXT} characters`);
      }
      return value;
    },
    count(fields, name, optional = false) {
      const value = fields[name];
      if (value === undefined && optional) return undefined;
      const n = wholeNumber(value);
      if (n === undefined || n < 0) {
        throw hdpError(
          code,
          `"${name}" must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
        );
      }
      return n;
    },
    bytes(fields, name, length) {
      const value = fields[name];
      if (!(value instanceof Uint8Array) || value.length !== length) {
        throw hdpError(code, `"${name}" must be ${length} bytes`);
      }
      return new Uint8Array(value);
    },
  };
}

/**
 * A whole number of at most 2^53 - 1 either way, however CBOR carried it: an integer of any width,
 * a float that holds a whole number (as older nodes send), or a bignum (tag 2 or 3).
 */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? value + 0 : undefined; // + 0: -0 is 0
  }
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) && BigInt(n) === value ? n : undefined;
  }
  return undefined;
}

/** Checks of what a node receives to serve: requests, and the handshake's hello and proof. */
export const served = checks("BAD_REQUEST");
/** Checks of answers: a malformed one is the peer breaking the protocol. */
export const answered = checks("PROTOCOL");

/** The request's protocol version, which must be this node's. */
export function version(fields: Fields): number {
  const v = wholeNumber(fields.v) ?? fields.v;
  if (v !== PROTOCOL_VERSION) {
    throw hdpError(
      "BAD_REQUEST",
      `Protocol version ${String(v)} is not supported (this peer speaks ${PROTOCOL_VERSION})`,
    );
  }
  return v;
}
