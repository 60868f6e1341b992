/**
 * The handshake's messages: the first stream of a connection, opened by the dialer (PROTOCOL.md,
 * "Handshake"), with the validator of each.
 */
import { answered, served, version } from "./_checks.ts";
import { hdpError } from "./errors.ts";
import { parseError } from "./messages.ts";

/** Dialer → listener: who I claim to be. */
export interface Hello {
  type: "hello";
  v: number;
  /** The dialer's 32-byte ed25519 public key. */
  key: Uint8Array;
}
/** Listener → dialer: sign this. */
export interface Challenge {
  type: "challenge";
  nonce: Uint8Array;
  /** The address the listener sees the dialer at (its public mapping behind a NAT). */
  observed: { ip: string; port: number };
}
/** Dialer → listener: the signature of `hdp-auth-v1 ‖ nonce ‖ listener key ‖ dialer key`. */
export interface Proof {
  type: "proof";
  signature: Uint8Array;
}
/** Listener → dialer: authenticated; requests may follow on new streams. */
export interface Welcome {
  type: "welcome";
}

/** Validates a handshake message of the expected type. */
export function parseHandshake<T extends Hello | Challenge | Proof | Welcome>(
  value: unknown,
  type: T["type"],
): T {
  // the listener checks hello and proof (a request's rules), the dialer challenge and welcome
  const check = type === "hello" || type === "proof" ? served : answered;
  const fields = check.object(value, "A handshake message");
  if (fields.type === "error") {
    const error = parseError(fields);
    throw hdpError(error.code, error.message);
  }
  if (fields.type !== type) throw hdpError("PROTOCOL", `Expected "${type}" in the handshake`);
  switch (type) {
    case "hello":
      return { type, v: version(fields), key: check.bytes(fields, "key", 32) } as T;
    case "challenge": {
      const observed = check.object(fields.observed, '"observed"');
      return {
        type,
        nonce: check.bytes(fields, "nonce", 32),
        observed: { ip: check.text(observed, "ip")!, port: check.count(observed, "port")! },
      } as T;
    }
    case "proof":
      return { type, signature: check.bytes(fields, "signature", 64) } as T;
    default:
      return { type } as T;
  }
}
