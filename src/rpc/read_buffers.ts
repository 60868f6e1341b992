/**
 * Spare read buffers of the file server: a large `Read` takes one and gives it back once every
 * byte is sent. A fresh mebibyte for every file costs page faults and garbage: in a folder of
 * 4 MiB files, 10-15% of the download's time on loopback.
 */

/** The size of a read buffer, and of the reads of a large file. */
export const READ_CHUNK = 1024 * 1024;

/** Spare buffers kept: a few reads run at once (the upload slots), the rest are garbage. */
const MAX_SPARE = 8;

const spare: Uint8Array[] = [];

/** A buffer of `bytes` (at most {@link READ_CHUNK}): a spare one when it is a whole chunk. */
export function takeReadBuffer(bytes: number): Uint8Array {
  const size = Math.min(READ_CHUNK, Math.max(1, bytes));
  return (size === READ_CHUNK ? spare.pop() : undefined) ?? new Uint8Array(size);
}

/**
 * Gives a buffer back. Only once nothing refers to it any more: no write in flight still reads
 * from it (after an aborted send, let it go to the garbage collector instead).
 */
export function giveBackReadBuffer(buffer: Uint8Array): void {
  if (buffer.length === READ_CHUNK && spare.length < MAX_SPARE) spare.push(buffer);
}

/** Spare buffers held now (for tests). */
export function spareReadBuffers(): number {
  return spare.length;
}
