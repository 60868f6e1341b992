/** A peer's file for API tests: Reads over bytes in memory, honouring start and end as a peer does. */
import type { HdpNode } from "../node/mod.ts";
import { hdpError } from "../wire/mod.ts";

type ReadStream = Awaited<ReturnType<HdpNode["peerRead"]>>;

/** One Read the fake peer was asked for, and how it ended. */
export interface FakeRead {
  peer: string;
  path: string;
  start?: number;
  end?: number;
  signal?: AbortSignal;
  /** "open" until its body ends or it is cancelled. */
  state: "open" | "drained" | "cancelled";
}

/** A file of `size` bytes counting 0, 1, 2 … 255, 0 …, with the Reads made of it. */
export function fakeFile(
  size: number,
  options: { mtime?: number; chunk?: number } = {},
): { bytes: Uint8Array; reads: FakeRead[]; peerRead: HdpNode["peerRead"] } {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i % 256);
  const mtime = options.mtime ?? 1_700_000_000_123;
  const chunk = options.chunk ?? 4096;
  const reads: FakeRead[] = [];
  const peerRead: HdpNode["peerRead"] = (peer, request, readOptions = {}) => {
    const read: FakeRead = { peer, ...request, state: "open" };
    if (readOptions.signal) read.signal = readOptions.signal;
    reads.push(read);
    const start = request.start ?? 0;
    if (start > size) {
      read.state = "drained";
      const message = `Cannot read from byte ${start}: the file has ${size} bytes`;
      return Promise.reject(hdpError("OUT_OF_RANGE", message));
    }
    const end = Math.max(start, Math.min(request.end ?? size, size));
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let at = start; at < end && read.state === "open"; at += chunk) {
        yield bytes.subarray(at, Math.min(end, at + chunk));
      }
      if (read.state === "open") read.state = "drained";
    }
    const stream: ReadStream = {
      header: { type: "ok", size, mtime, start, end },
      body: body(),
      cancel: () => {
        if (read.state === "open") read.state = "cancelled";
        return Promise.resolve();
      },
    };
    return Promise.resolve(stream);
  };
  return { bytes, reads, peerRead };
}
