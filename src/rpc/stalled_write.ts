/**
 * A requester that takes no data gives back what it holds: a write that has not gone through after
 * {@link STALL_MS} resets the stream and ends the request with `TIMEOUT`, freeing its upload slot,
 * its buffers and its open file for peers that do read.
 */
import { withTimeout } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** How long a requester may take nothing before its request ends. */
export const STALL_MS = 30_000;

/**
 * Writes `bytes`, or resets the stream and throws `TIMEOUT` when the requester has taken none of
 * them after `ms`.
 */
export async function writeOrStall(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  bytes: Uint8Array,
  ms: number,
): Promise<void> {
  let stalled = false;
  const error = () => {
    stalled = true;
    return hdpError(
      "TIMEOUT",
      `The requester took no data for ${Math.round(ms / 1000)} s: its request ended`,
    );
  };
  try {
    await withTimeout(writer.write(bytes), { ms, error });
  } catch (failure) {
    // not awaited: an abort waits for the write in flight, which is the one that hangs
    if (stalled) void writer.abort(failure).catch(() => {});
    throw failure;
  }
}
