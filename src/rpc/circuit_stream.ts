/**
 * What is left of a request's stream once its frames are read and it carries a relayed circuit:
 * the raw bytes after the last frame (the buffered ones first) and the writable side.
 */
import type { PeerStream } from "../transport/mod.ts";
import type { FrameReader } from "../wire/mod.ts";

/** The stream after `reader`'s frames, as plain byte streams (each chunk a copy of its own). */
export function circuitStream(
  reader: FrameReader,
  writable: WritableStream<Uint8Array>,
): PeerStream {
  let chunks: AsyncGenerator<Uint8Array> | undefined;
  const readable = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      chunks ??= reader.raw(64 * 1024);
      const next = await chunks.next();
      // raw() reuses its buffers: a chunk handed on must be our own
      if (next.done) controller.close();
      else controller.enqueue(next.value.slice());
    },
    cancel: async (reason) => {
      await chunks?.return(undefined);
      await reader.cancel(reason);
    },
  });
  return { readable, writable };
}

/** A writable that writes through `writer` (a stream whose writer is already taken). */
export function throughWriter(
  writer: WritableStreamDefaultWriter<Uint8Array>,
): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}
