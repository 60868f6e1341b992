/**
 * Writing a small file whole: into its `.part`, its mtime set, renamed into place. Used on the
 * event loop and by the small-file writer's thread alike; disk trouble becomes an `IO` error that
 * says what happened in words a person can act on.
 */
import { type HdpError, hdpError, messageOf } from "../wire/light.ts";

/** A small file to write. */
export interface WholeFile {
  part: string;
  finalPath: string;
  data: Uint8Array;
  mtime: number;
}

/** Writes `file` with synchronous calls (a few syscalls). */
export function writeWholeSync(file: WholeFile): void {
  try {
    Deno.writeFileSync(file.part, file.data);
    Deno.utimeSync(file.part, new Date(), new Date(file.mtime));
    Deno.renameSync(file.part, file.finalPath);
  } catch (error) {
    throw diskError(error, file.finalPath);
  }
}

/** Disk trouble as an `IO` error: disk full, permission denied, or the system's message. */
export function diskError(error: unknown, path: string): HdpError {
  const message = messageOf(error);
  if (/No space left|ENOSPC|os error 28/i.test(message)) {
    return hdpError("IO", `The disk is full (writing "${path}")`, error);
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return hdpError("IO", `Permission denied writing "${path}"`, error);
  }
  return hdpError("IO", `Cannot write "${path}": ${message}`, error);
}
