/**
 * Reasons worded for people, from their code: the UI and the CLI say "Disk full or not writable"
 * whatever the operating system's message, and add the message as the detail.
 */
import type { ErrorCode, Reason } from "../wire/light.ts";

/** A short summary of what each code means to a person looking at a transfer, a peer or a share. */
export const PROBLEM_SUMMARY: Record<ErrorCode, string> = {
  BAD_REQUEST: "Refused",
  NOT_FOUND: "Not found",
  NOT_SHARED: "Not shared",
  FORBIDDEN: "Not allowed",
  UNAUTHORIZED: "Not trusted",
  TOO_LARGE: "Too large",
  BUSY: "Busy",
  CONFLICT: "Conflict",
  UNAVAILABLE: "Peer away",
  TIMEOUT: "Timed out",
  PROTOCOL: "Broken answer",
  IO: "Disk full or not writable",
  INTERNAL: "Something went wrong",
  CANCELLED: "Cancelled by the peer",
  UNSUPPORTED: "Not supported by the peer",
  OUT_OF_RANGE: "Out of range",
};

/** `Summary: message`, or the message alone when it already starts with the summary. */
export function problemText(reason: Reason): string {
  const summary = PROBLEM_SUMMARY[reason.code];
  if (reason.message.toLowerCase().startsWith(summary.toLowerCase())) return reason.message;
  return `${summary}: ${reason.message}`;
}
