/** Watching a `.part` file that a node writes: its size, and waiting for it to grow. */
import { WAIT_MS } from "./events.ts";

/** The size of a file, 0 when there is none. */
export async function sizeOf(path: string): Promise<number> {
  return await Deno.stat(path).then((s) => s.size, () => 0);
}

/**
 * Waits until a part file holds more than `bytes`. The download events cannot tell: they come at
 * most four times a second, and a 64 MiB transfer on loopback is over in about 200 ms, so the
 * part file the node writes is watched instead.
 */
export async function partPasses(part: string, bytes: number): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const size = await sizeOf(part);
    if (size > bytes) return size;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${part} to pass ${bytes} bytes`);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}
