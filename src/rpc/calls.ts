/**
 * Asking a peer: `Ls`, `Read`, `ReadMany` and `AnnouncePeer`, each on a stream of its own. The
 * protocol's answers become typed outcomes here: a peer's `BAD_REQUEST` that means "I do not know
 * `readMany`" is thrown as `UNSUPPORTED`, one that means "the read starts past the end" as
 * `OUT_OF_RANGE`; callers branch on those codes, never on the protocol's.
 */
import type { PeerConnection, PeerStream } from "../transport/mod.ts";
import {
  type AnnounceRequest,
  checkCircuit,
  encodeFrame,
  FrameReader,
  HdpError,
  hdpError,
  INTERACTIVE_BYTES,
  type LsPage,
  type LsQuery,
  type LsRequest,
  MAX_READ_MANY,
  parseAck,
  parseLsResponse,
  parseReadManyResponse,
  parseReadResponse,
  PROTOCOL_VERSION,
  type ReadOkResponse,
  type ReadRequest,
  type RelayedRequest,
  type RelayRequest,
  type Totals,
} from "../wire/mod.ts";
import { circuitError, readError, readManyError } from "./answer_errors.ts";
import { circuitStream } from "./circuit_stream.ts";
import type { Throttle } from "./throttle.ts";

/** How a call paces the bytes it takes in (the node's download limit). */
export interface Paced {
  /** Without it, unlimited. */
  throttle?: Throttle;
}

/**
 * The throttle's word before `bytes` more may come in: undefined when they may at once (an
 * unlimited node: no promise, no await on the hot path).
 */
function paced(
  pace: Paced,
  connection: PeerConnection,
  bytes: number,
  priority: "interactive" | "bulk",
): Promise<void> | undefined {
  return pace.throttle?.take(connection.peerKeyHex, bytes, { priority });
}

/** The end of an `Ls` answer. */
export interface LsEnd {
  totals?: Totals;
  partial: boolean;
}

/**
 * Lists or searches a peer's shares, page by page. Stopping early (breaking out of the loop)
 * cancels the stream, so the peer stops too.
 */
export async function* lsCall(
  connection: PeerConnection,
  query: LsQuery,
  pace: Paced = {},
): AsyncGenerator<LsPage, LsEnd> {
  const release = connection.hold();
  let reader: FrameReader | undefined;
  try {
    const stream = await connection.openStream();
    reader = new FrameReader(stream.readable);
    const request: LsRequest = {
      ...query,
      type: "ls",
      v: PROTOCOL_VERSION,
      recursive: query.recursive ?? false,
    };
    await send(stream, request);
    for (;;) {
      const frame = await reader.readFrame();
      if (frame === undefined) throw hdpError("PROTOCOL", "The peer ended the Ls answer early");
      const wait = paced(pace, connection, reader.lastFrameBytes, "interactive");
      if (wait) await wait;
      const response = parseLsResponse(frame);
      if (response.type === "error") throw new HdpError(response.code, response.message);
      if (response.type === "end") {
        const end: LsEnd = { partial: response.partial };
        if (response.totals) end.totals = response.totals;
        return end;
      }
      const { type: _, ...page } = response;
      yield page;
    }
  } finally {
    await reader?.cancel();
    release();
  }
}

/**
 * The first page of a listing that has entries (a search's pages may come empty while the peer
 * scans on), or its last page; the rest of the listing is not fetched.
 */
export async function firstNonEmpty(pages: AsyncGenerator<LsPage, LsEnd | void>): Promise<LsPage> {
  try {
    for (;;) {
      const next = await pages.next();
      if (next.done) {
        const end = next.value ?? { partial: false };
        return { entries: [], partial: end.partial, ...(end.totals ? { totals: end.totals } : {}) };
      }
      if (next.value.entries.length > 0 || !next.value.cursor) return next.value;
    }
  } finally {
    await pages.return(undefined); // one page is enough: stop the peer's stream
  }
}

/** One page of a peer's listing or search: the first with entries, or the last. */
export function firstPage(
  connection: PeerConnection,
  query: LsQuery,
  pace: Paced = {},
): Promise<LsPage> {
  return firstNonEmpty(lsCall(connection, query, pace));
}

/** An open `Read`: the header, then the bytes. */
export interface ReadStream {
  header: ReadOkResponse;
  /** Exactly `end - start` bytes; throws when the stream ends short or is reset. */
  body: AsyncGenerator<Uint8Array>;
  /** Stops the transfer. */
  cancel(): Promise<void>;
}

/** Options of {@link readCall}. */
export interface ReadOptions extends Paced {
  /** Called while the peer queues this read for an upload slot. */
  onQueued?: (position: number) => void;
  /**
   * Withdraws the read: before its header (queued at the peer) the stream is reset, which frees
   * its place in the peer's queue at once, and the call throws `UNAVAILABLE`.
   */
  signal?: AbortSignal;
}

/**
 * Starts reading a file (or a range) of a peer. Throws `OUT_OF_RANGE` when `start` is past the end
 * of the file, otherwise the peer's coded error.
 */
export async function readCall(
  connection: PeerConnection,
  args: Omit<ReadRequest, "type" | "v">,
  options: ReadOptions = {},
): Promise<ReadStream> {
  const release = connection.hold();
  let stream: PeerStream;
  try {
    stream = await connection.openStream();
  } catch (error) {
    release();
    throw error;
  }
  const reader = new FrameReader(stream.readable);
  const withdraw = () => {
    void reader.cancel();
    void stream.writable.abort().catch(() => {});
  };
  options.signal?.addEventListener("abort", withdraw, { once: true });
  try {
    if (options.signal?.aborted) throw hdpError("UNAVAILABLE", "The read was withdrawn");
    // our side stays open while the bytes flow: its end before the last byte says we left
    await send(stream, { type: "read", v: PROTOCOL_VERSION, ...args, keepsOpen: true }, false);
    for (;;) {
      const frame = await reader.readFrame();
      if (options.signal?.aborted) throw hdpError("UNAVAILABLE", "The read was withdrawn");
      if (frame === undefined) {
        throw hdpError("PROTOCOL", "The peer ended the Read answer before its header");
      }
      const response = parseReadResponse(frame);
      if (response.type === "error") throw readError(response, args.start ?? 0);
      if (response.type === "queued") {
        options.onQueued?.(response.position);
        continue;
      }
      if ((args.start ?? 0) !== response.start) {
        throw hdpError("PROTOCOL", "The peer answered another range");
      }
      return {
        header: response,
        body: body(reader, response.end - response.start, stream.writable, release, {
          ...options,
          connection,
          interactive: args.interactive === true,
        }),
        cancel: async () => {
          await reader.cancel();
          await stream.writable.abort().catch(() => {});
          release();
        },
      };
    }
  } catch (error) {
    await reader.cancel();
    await stream.writable.abort().catch(() => {});
    release();
    if (options.signal?.aborted) throw hdpError("UNAVAILABLE", "The read was withdrawn", error);
    throw error;
  } finally {
    // once the header is in, the caller stops the body with `cancel`
    options.signal?.removeEventListener("abort", withdraw);
  }
}

/**
 * The bytes of a Read. Our side of the stream stays open while they flow: the peer takes its
 * reset as "the requester left" (to free a queued place), and its end as a clean goodbye.
 */
async function* body(
  reader: FrameReader,
  expected: number,
  writable: WritableStream<Uint8Array>,
  release: () => void,
  pace: Paced & { connection: PeerConnection; interactive: boolean },
): AsyncGenerator<Uint8Array> {
  let received = 0;
  let complete = false;
  try {
    // buffers no larger than the file: a folder of small files must not allocate 512 KiB each
    for await (const chunk of reader.raw(Math.max(16 * 1024, Math.min(1024 * 1024, expected)))) {
      received += chunk.length;
      if (received > expected) {
        throw hdpError("PROTOCOL", "The peer sent more bytes than it announced");
      }
      // held back until the limit allows: the stream's flow control then slows the peer down
      const first = pace.interactive && received <= INTERACTIVE_BYTES;
      const wait = paced(pace, pace.connection, chunk.length, first ? "interactive" : "bulk");
      if (wait) await wait;
      yield chunk;
    }
    complete = received === expected;
  } catch (error) {
    if (error instanceof HdpError) throw error;
    throw hdpError(
      "UNAVAILABLE",
      `The transfer broke off after ${received} of ${expected} bytes`,
      error,
    );
  } finally {
    await reader.cancel();
    if (complete) await writable.close().catch(() => {});
    else await writable.abort().catch(() => {});
    release();
  }
  if (!complete) {
    throw hdpError("UNAVAILABLE", `The transfer ended after ${received} of ${expected} bytes`);
  }
}

/** One answer of a `ReadMany`: a whole file, or why it could not be read. */
export type ReadManyAnswer =
  | { path: string; header: ReadOkResponse; data: Uint8Array }
  | { path: string; error: HdpError };

/**
 * Reads several small files whole on one stream, yielding each file's bytes (or its own error)
 * in the order asked. Throws `BAD_REQUEST` for no paths or more than {@link MAX_READ_MANY},
 * `UNSUPPORTED` when the peer does not know `ReadMany`, the peer's
 * other errors of the whole request, `PROTOCOL` for a broken answer and `UNAVAILABLE` when the
 * connection breaks: the files not yet yielded were not read.
 * Stopping early cancels the stream.
 */
export async function* readManyCall(
  connection: PeerConnection,
  paths: string[],
  pace: Paced = {},
): AsyncGenerator<ReadManyAnswer> {
  if (paths.length < 1 || paths.length > MAX_READ_MANY) {
    // refused here: a BAD_REQUEST from the peer then means it does not know ReadMany
    throw hdpError("BAD_REQUEST", `A ReadMany takes 1 to ${MAX_READ_MANY} paths`);
  }
  const release = connection.hold();
  let reader: FrameReader | undefined;
  try {
    const stream = await connection.openStream();
    reader = new FrameReader(stream.readable);
    await send(stream, { type: "readMany", v: PROTOCOL_VERSION, paths });
    for (const path of paths) {
      const frame = await reader.readFrame();
      if (frame === undefined) throw hdpError("PROTOCOL", "The peer ended a ReadMany answer early");
      const answer = parseReadManyResponse(frame);
      if (answer.type === "error") {
        if (!("path" in answer)) throw readManyError(answer);
        if (answer.path !== path) throw hdpError("PROTOCOL", "The peer answered another file");
        yield { path, error: new HdpError(answer.code, answer.message) };
        continue;
      }
      const data = await reader.readBytes(answer.size);
      const wait = paced(pace, connection, data.length, "bulk");
      if (wait) await wait;
      yield { path, header: answer, data };
    }
  } catch (error) {
    if (error instanceof HdpError) throw error;
    throw hdpError("UNAVAILABLE", "The connection broke during a ReadMany", error);
  } finally {
    await reader?.cancel();
    release();
  }
}

/** Tells a peer about another peer. */
export async function announceCall(
  connection: PeerConnection,
  args: Omit<AnnounceRequest, "type" | "v">,
): Promise<void> {
  const release = connection.hold();
  let reader: FrameReader | undefined;
  try {
    const stream = await connection.openStream();
    reader = new FrameReader(stream.readable);
    await send(stream, { type: "announce", v: PROTOCOL_VERSION, ...args });
    const response = parseAck(await reader.readFrame());
    if (response.type === "error") throw new HdpError(response.code, response.message);
  } finally {
    await reader?.cancel();
    release();
  }
}

/**
 * Asks a peer to take this node as a friend (its owner added the peer by hand). A peer of an older
 * version answers `BAD_REQUEST` (an unknown request), which is no matter: it has no friends.
 */
export async function befriendCall(connection: PeerConnection): Promise<void> {
  const release = connection.hold();
  let reader: FrameReader | undefined;
  try {
    const stream = await connection.openStream();
    reader = new FrameReader(stream.readable);
    await send(stream, { type: "befriend", v: PROTOCOL_VERSION });
    const response = parseAck(await reader.readFrame());
    if (response.type === "error") throw new HdpError(response.code, response.message);
  } finally {
    await reader?.cancel();
    release();
  }
}

/**
 * Asks the relay on `connection` for a circuit to the peer `to` (PROTOCOL.md, "Relayed circuits:
 * the request"); resolves with the circuit's raw stream once the relay and the peer said yes.
 * Throws the relay's coded error (`NOT_FOUND`, `FORBIDDEN`, `BUSY`, ...), `UNSUPPORTED` when the
 * relay does not know `Relay`.
 */
export function relayCall(
  connection: PeerConnection,
  to: Uint8Array,
  circuit: Uint8Array,
): Promise<PeerStream> {
  return openCircuit(connection, { type: "relay", v: PROTOCOL_VERSION, to, circuit });
}

/**
 * The relay's leg: tells the peer on `connection` that `from` asks for a circuit to it. Throws its
 * coded error (`FORBIDDEN`: it does not take circuits from `from`), `UNSUPPORTED` when it does not
 * know `Relayed`.
 */
export function relayedCall(
  connection: PeerConnection,
  from: Uint8Array,
  circuit: Uint8Array,
): Promise<PeerStream> {
  return openCircuit(connection, { type: "relayed", v: PROTOCOL_VERSION, from, circuit });
}

async function openCircuit(
  connection: PeerConnection,
  request: RelayRequest | RelayedRequest,
): Promise<PeerStream> {
  checkCircuit(request.circuit);
  const stream = await connection.openStream();
  const reader = new FrameReader(stream.readable);
  try {
    await send(stream, request, false);
    const frame = await reader.readFrame();
    if (frame === undefined) {
      throw hdpError("PROTOCOL", "The peer ended the circuit before its answer");
    }
    const answer = parseAck(frame);
    if (answer.type === "error") throw circuitError(answer);
    return circuitStream(reader, stream.writable);
  } catch (error) {
    await reader.cancel();
    await stream.writable.abort().catch(() => {});
    if (error instanceof HdpError) throw error;
    throw hdpError("UNAVAILABLE", "The connection broke while opening a circuit", error);
  }
}

/** Writes the request frame; closes our side unless the request must stay open (a queued Read). */
async function send(
  stream: PeerStream,
  request: unknown,
  close = true,
): Promise<void> {
  const writer = stream.writable.getWriter();
  try {
    await writer.write(encodeFrame(request));
    if (close) await writer.close();
  } finally {
    writer.releaseLock();
  }
}
