/**
 * A relayed session as plaintext streams: wraps the stream to the relay (after the handshake) so
 * that whatever reads and writes framed CBOR on a QUIC stream runs over it unchanged. Each write
 * goes out as frames of at most 64 KiB; closing the writable sends the end frame; the readable
 * ends only at the peer's end frame, and errors with `PROTOCOL` when the relay cut the stream
 * short or changed a byte. Memory stays bounded: one frame and one chunk of the stream are held
 * at a time, and nothing is read from the relay while the plaintext is not being read.
 */
import type { Identity } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";
import { ByteReader } from "./_byte_reader.ts";
import type { Duplex } from "./duplex.ts";
import {
  FrameOpener,
  FrameSealer,
  HEADER_BYTES,
  MAX_PLAINTEXT,
  type OpenedFrame,
} from "./secure_frame.ts";
import {
  initiateHandshake,
  type InitiateOptions,
  respondHandshake,
  type RespondOptions,
  type Session,
} from "./session_handshake.ts";

/** Sessions that already have a channel: a second one would reuse the nonces of the first. */
const used = new WeakSet<Session>();

/** The plaintext side of a relayed session: the same shape as the stream it wraps. */
export class SecureChannel implements Duplex {
  /** The peer's bytes, authenticated and in order. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; close it to end the session properly. */
  readonly writable: WritableStream<Uint8Array>;
  /** The handshake's outcome: the peer's proven key, the transcript hash. */
  readonly session: Session;

  /** Wraps `stream` (what the handshake left of it) with the keys of `session`. */
  constructor(stream: Duplex, session: Session) {
    if (used.has(session)) {
      throw hdpError("INTERNAL", "A relayed session's keys serve one channel only");
    }
    used.add(session);
    this.session = session;
    this.readable = plaintextReadable(stream.readable, new FrameOpener(session.receiveKey));
    this.writable = plaintextWritable(stream.writable, new FrameSealer(session.sendKey));
  }
}

/** Runs the initiator's handshake over `stream` and wraps it (see {@link initiateHandshake}). */
export async function initiateSecureChannel(
  stream: Duplex,
  identity: Identity,
  options: InitiateOptions,
): Promise<SecureChannel> {
  const done = await initiateHandshake(stream, identity, options);
  return new SecureChannel(done.stream, done.session);
}

/** Runs the responder's handshake over `stream` and wraps it (see {@link respondHandshake}). */
export async function respondSecureChannel(
  stream: Duplex,
  identity: Identity,
  options: RespondOptions,
): Promise<SecureChannel> {
  const done = await respondHandshake(stream, identity, options);
  return new SecureChannel(done.stream, done.session);
}

function plaintextReadable(
  source: ReadableStream<Uint8Array>,
  opener: FrameOpener,
): ReadableStream<Uint8Array> {
  const reader = new ByteReader(source);
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        for (;;) {
          const frame = await nextFrame(reader, opener);
          if (frame.kind === "end") {
            controller.close();
            // the session is complete: what the relay sends after it carries nothing
            void reader.drain();
            return;
          }
          if (frame.plaintext.length > 0) return controller.enqueue(frame.plaintext);
        }
      } catch (error) {
        void reader.cancel(error);
        throw error;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

async function nextFrame(reader: ByteReader, opener: FrameOpener): Promise<OpenedFrame> {
  const header = await reader.read(HEADER_BYTES);
  if (!header) {
    if (reader.buffered > 0) throw endedInside(opener);
    throw hdpError(
      "PROTOCOL",
      `The relayed stream was cut short after ${opener.received} frames: no end frame came`,
    );
  }
  const body = await reader.read(opener.bodyLength(header));
  if (!body) throw endedInside(opener);
  return await opener.open(header, body);
}

function endedInside(opener: FrameOpener): Error {
  return hdpError("PROTOCOL", `The relayed stream ended inside frame ${opener.received}`);
}

function plaintextWritable(
  sink: WritableStream<Uint8Array>,
  sealer: FrameSealer,
): WritableStream<Uint8Array> {
  const writer = sink.getWriter();
  return new WritableStream<Uint8Array>({
    // each frame waits for the stream to take it, so a slow relay slows the writer down
    write: async (chunk) => {
      for (let offset = 0; offset < chunk.length; offset += MAX_PLAINTEXT) {
        await writer.write(await sealer.seal(chunk.subarray(offset, offset + MAX_PLAINTEXT)));
      }
    },
    close: async () => {
      await writer.write(await sealer.end());
      await writer.close();
    },
    abort: async (reason) => {
      await writer.abort(reason);
    },
  });
}
