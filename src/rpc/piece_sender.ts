/**
 * Writing an answer's bytes to a stream, paced by the node's upload limit and given up after
 * `stallMs` without progress (stalled_write.ts). A requester that reads slowly gets the data in
 * small writes, so that a slow one is told apart from one that takes nothing: a write of 1 MiB to
 * a reader of 32 KiB/s would look stalled.
 */
import { writeOrStall } from "./stalled_write.ts";

/** A write slower than this goes on in pieces of {@link SLOW_WRITE_PIECE}. */
export const SLOW_WRITE_MS = 1000;
export const SLOW_WRITE_PIECE = 64 * 1024;
/**
 * Once the upload limit holds a write back, the stream's bytes go in pieces of this size, each
 * when the limit allows. Whole chunks of 1 MiB would leave in bursts at the link's full speed,
 * which fill a home router's queue (the lag an upload limit is meant to spare the household)
 * and a fast receiver's socket buffer: on loopback, under a 50 MB/s limit, 1,300-2,900 datagrams
 * per GiB were dropped with whole chunks and 85-88 with these pieces (115 MB/s: 974 and 692-704).
 */
export const PACED_PIECE = 64 * 1024;

/** A send function for one stream; `pace` is asked before each write (undefined: go now). */
export function sender(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  stallMs: number,
  pace?: (bytes: number) => Promise<void> | undefined,
  options: { slowWriteMs?: number } = {},
): (bytes: Uint8Array) => Promise<void> {
  const slowMs = options.slowWriteMs ?? SLOW_WRITE_MS;
  let piece = Infinity;
  return async (bytes) => {
    for (let at = 0; at < bytes.length;) {
      const chunk = bytes.subarray(at, at + piece);
      const wait = pace?.(chunk.length); // the node's upload limit: the one place bytes leave
      if (wait) {
        await wait;
        piece = Math.min(piece, PACED_PIECE);
      }
      const began = performance.now();
      await writeOrStall(writer, chunk, stallMs);
      // on past what was written: a write that turned slow must not send its bytes again
      at += chunk.length;
      if (performance.now() - began > slowMs) piece = SLOW_WRITE_PIECE;
    }
  };
}
