/**
 * Coded errors: every error that crosses the wire, the API or the CLI carries one of these codes,
 * so callers branch on `code`, never on message text.
 */

/**
 * The fixed set of error codes shared by the protocol, the HTTP API and the CLI. `CANCELLED`: the
 * serving peer's owner stopped the transfer (not retried by itself). `UNSUPPORTED`: the
 * peer does not know a request (it answered `BAD_REQUEST` to it); `OUT_OF_RANGE`: a read starts past
 * the end of the file.
 */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "NOT_FOUND",
  "NOT_SHARED",
  "FORBIDDEN",
  "UNAUTHORIZED",
  "TOO_LARGE",
  "BUSY",
  "CONFLICT",
  "UNAVAILABLE",
  "TIMEOUT",
  "PROTOCOL",
  "IO",
  "INTERNAL",
  // The uploader's owner cancelled the transfer: not tried again by itself. Sent in answers; a
  // peer that does not know it reads it as INTERNAL, which also fails the file.
  "CANCELLED",
  // Codes a node tells its own callers (API, CLI, the download queue), never sent in a v1 answer:
  // peers of protocol version 1 read an unknown code as INTERNAL.
  "UNSUPPORTED",
  "OUT_OF_RANGE",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/** Tells whether a value is a known error code (for validating decoded input). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Why something failed or stopped, as it crosses the wire, the API and the CLI: a code for programs
 * (the UI and the CLI word it) and a message with the detail for people.
 */
export interface Reason {
  code: ErrorCode;
  message: string;
}

/** The one error class of the project: a message for people and a code for programs. */
export class HdpError extends Error {
  override name = "HdpError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** A plain object that survives JSON, CBOR and `postMessage`. */
  toJSON(): Reason {
    return { code: this.code, message: this.message };
  }
}

/** Makes a {@link HdpError}; the short form used across the code base. */
export function hdpError(code: ErrorCode, message: string, cause?: unknown): HdpError {
  return new HdpError(code, message, cause === undefined ? undefined : { cause });
}

/** Wraps anything thrown into a {@link HdpError}, keeping the code of one that already is. */
export function toHdpError(error: unknown, fallback: ErrorCode = "INTERNAL"): HdpError {
  if (error instanceof HdpError) return error;
  if (error instanceof Deno.errors.NotFound) return hdpError("NOT_FOUND", messageOf(error), error);
  if (error instanceof Deno.errors.PermissionDenied) {
    return hdpError("FORBIDDEN", messageOf(error), error);
  }
  if (error instanceof Deno.errors.TimedOut) return hdpError("TIMEOUT", messageOf(error), error);
  if (
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe
  ) {
    // a stream or connection the other side reset or stopped (it left, paused, cancelled)
    return hdpError("UNAVAILABLE", messageOf(error), error);
  }
  return hdpError(fallback, messageOf(error), error);
}

/** The message of anything thrown, for logs and coded errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The {@link Reason} of anything thrown (its code kept when it has one). */
export function reasonOf(error: unknown, fallback: ErrorCode = "INTERNAL"): Reason {
  return toHdpError(error, fallback).toJSON();
}
