/**
 * What a relay does with a circuit once both legs are acknowledged: copies bytes both ways between
 * the stream to A and the stream to C, and nothing else. A leg that ends cleanly ends the other
 * direction cleanly (its writable is closed); a leg that fails stops both directions.
 */
import type { Duplex } from "./duplex.ts";

/** Which end a chunk goes to. */
export type Toward = "a" | "c";

/** Options of {@link splice}. */
export interface SpliceOptions {
  /** Sees each chunk on its way and returns what goes on (a test double that tampers). */
  tap?: (chunk: Uint8Array, toward: Toward) => Uint8Array;
  /** Waits before `bytes` more are passed on (the relay's upload limit); undefined: at once. */
  pace?: (bytes: number) => Promise<void> | undefined;
}

/** The bytes copied each way. */
export interface Spliced {
  toA: number;
  toC: number;
}

/** Copies between `a` and `c` until both directions are over; never throws. */
export async function splice(a: Duplex, c: Duplex, options: SpliceOptions = {}): Promise<Spliced> {
  const stop = new AbortController();
  const counts: Spliced = { toA: 0, toC: 0 };
  const pump = async (from: Duplex, to: Duplex, toward: Toward): Promise<void> => {
    const reader = from.readable.getReader();
    const writer = to.writable.getWriter();
    const onStop = (): void => {
      reader.cancel(stop.signal.reason).catch(() => {});
      writer.abort(stop.signal.reason).catch(() => {});
    };
    stop.signal.addEventListener("abort", onStop, { once: true });
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = options.tap ? options.tap(value, toward) : value;
        const wait = options.pace?.(chunk.length);
        if (wait) await wait;
        await writer.write(chunk);
        if (toward === "a") counts.toA += chunk.length;
        else counts.toC += chunk.length;
      }
      await writer.close();
    } catch (error) {
      if (!stop.signal.aborted) stop.abort(error);
    } finally {
      stop.signal.removeEventListener("abort", onStop);
    }
  };
  await Promise.all([pump(a, c, "c"), pump(c, a, "a")]);
  return counts;
}
