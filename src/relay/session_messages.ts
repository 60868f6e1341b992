/**
 * The three messages of the relayed handshake, each a type byte and fixed-size fields (no length
 * prefix: the type tells the size). Parsing checks only the shape; the handshake checks the keys
 * and signatures.
 */
import { hdpError } from "../wire/mod.ts";
import { concat } from "./_bytes.ts";

/** Message type bytes. A version 2 would use new ones, so an old peer refuses it at once. */
export const MESSAGE_TYPES = { hello: 0x01, reply: 0x02, finish: 0x03 } as const;

/** Which handshake message. */
export type MessageName = keyof typeof MESSAGE_TYPES;

/** The size of each message, its type byte included. */
export const MESSAGE_BYTES = { hello: 65, reply: 129, finish: 65 } as const;

/** Initiator → responder: `0x01 ‖ ephemeral (32) ‖ identity key (32)`. */
export interface RelayHello {
  ephemeral: Uint8Array;
  key: Uint8Array;
}

/** Responder → initiator: `0x02 ‖ ephemeral (32) ‖ identity key (32) ‖ signature (64)`. */
export interface RelayReply {
  ephemeral: Uint8Array;
  key: Uint8Array;
  signature: Uint8Array;
}

/** Initiator → responder: `0x03 ‖ signature (64)`. */
export interface RelayFinish {
  signature: Uint8Array;
}

/** Encodes the hello. */
export function encodeHello(hello: RelayHello): Uint8Array {
  return encode("hello", [hello.ephemeral, 32], [hello.key, 32]);
}

/** Encodes the reply. */
export function encodeReply(reply: RelayReply): Uint8Array {
  return encode("reply", [reply.ephemeral, 32], [reply.key, 32], [reply.signature, 64]);
}

/** Encodes the finish. */
export function encodeFinish(finish: RelayFinish): Uint8Array {
  return encode("finish", [finish.signature, 64]);
}

/** Parses a hello; `PROTOCOL` for the wrong type or size. */
export function parseHello(bytes: Uint8Array): RelayHello {
  check(bytes, "hello");
  return { ephemeral: bytes.slice(1, 33), key: bytes.slice(33, 65) };
}

/** Parses a reply; `PROTOCOL` for the wrong type or size. */
export function parseReply(bytes: Uint8Array): RelayReply {
  check(bytes, "reply");
  return { ephemeral: bytes.slice(1, 33), key: bytes.slice(33, 65), signature: bytes.slice(65) };
}

/** Parses a finish; `PROTOCOL` for the wrong type or size. */
export function parseFinish(bytes: Uint8Array): RelayFinish {
  check(bytes, "finish");
  return { signature: bytes.slice(1) };
}

/** Refuses a first byte that is not the type of `name` (read before the rest of the message). */
export function checkType(type: number, name: MessageName): void {
  if (type !== MESSAGE_TYPES[name]) {
    throw hdpError(
      "PROTOCOL",
      `Expected the relayed handshake's ${name} (type ${MESSAGE_TYPES[name]}), not type ${type}`,
    );
  }
}

function check(bytes: Uint8Array, name: MessageName): void {
  checkType(bytes[0] ?? -1, name);
  if (bytes.length !== MESSAGE_BYTES[name]) {
    throw hdpError(
      "PROTOCOL",
      `The relayed handshake's ${name} is ${MESSAGE_BYTES[name]} bytes, not ${bytes.length}`,
    );
  }
}

function encode(name: MessageName, ...fields: [Uint8Array, number][]): Uint8Array {
  for (const [field, size] of fields) {
    if (field.length !== size) {
      throw hdpError("INTERNAL", `A field of the relayed ${name} must be ${size} bytes`);
    }
  }
  return concat(Uint8Array.of(MESSAGE_TYPES[name]), ...fields.map(([field]) => field));
}
