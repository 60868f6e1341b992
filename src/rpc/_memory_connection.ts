/**
 * Test helper: two {@link PeerConnection}s joined in memory, each stream a pair of pipes, so that
 * calls and routes run against each other without sockets.
 */
import { type PeerConnection, type PeerStream, toHex } from "../transport/mod.ts";

/** A connection from a peer of key `fromKey` to a peer of key `toKey`, and the other end. */
export function memoryConnections(
  fromKey: Uint8Array,
  toKey: Uint8Array,
): { near: PeerConnection; far: PeerConnection } {
  const [nearIn, farIn] = [queue(), queue()];
  const closed = Promise.withResolvers<{ code: number; reason: string }>();
  let isClosed = false;
  const end = (
    key: Uint8Array,
    direction: "inbound" | "outbound",
    incoming: Queue,
    other: Queue,
  ): PeerConnection => ({
    peerKey: key,
    peerKeyHex: toHex(key),
    direction,
    remote: { ip: "127.0.0.1", port: 1 },
    openStream: () => {
      const there = new TransformStream<Uint8Array, Uint8Array>();
      const back = new TransformStream<Uint8Array, Uint8Array>();
      other.controller.enqueue({ readable: there.readable, writable: back.writable });
      return Promise.resolve({ readable: back.readable, writable: there.writable });
    },
    incoming: incoming.reader,
    close: (code, reason) => {
      if (isClosed) return;
      isClosed = true;
      nearIn.controller.close();
      farIn.controller.close();
      closed.resolve({ code, reason });
    },
    hold: () => () => {},
    closeWhenIdle: (code, reason) => near.close(code, reason),
    closed: closed.promise,
    get isClosed() {
      return isClosed;
    },
  });
  const near = end(toKey, "outbound", nearIn, farIn);
  const far = end(fromKey, "inbound", farIn, nearIn);
  return { near, far };
}

interface Queue {
  controller: ReadableStreamDefaultController<PeerStream>;
  reader: ReadableStreamDefaultReader<PeerStream>;
}

function queue(): Queue {
  let controller!: ReadableStreamDefaultController<PeerStream>;
  const reader = new ReadableStream<PeerStream>({ start: (c) => void (controller = c) })
    .getReader();
  return { controller, reader };
}
