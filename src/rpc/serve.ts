/**
 * Serving a peer's requests: one stream per request, the first frame says what it is, and a
 * router built once picks its handler. Every failure becomes an error frame on that stream; the
 * connection and the node carry on.
 */
import { logger } from "../log.ts";
import { type PeerConnection, type PeerStream, withTimeout } from "../transport/mod.ts";
import {
  type AnnounceRequest,
  encodeFrame,
  type ErrorResponse,
  FrameReader,
  hdpError,
  messageOf,
  parseRequest,
  type PeerRef,
  type Reason,
  type Request,
  toHdpError,
} from "../wire/mod.ts";
import { circuitStream, throughWriter } from "./circuit_stream.ts";
import type { Circuit, Exchange, Handlers, Route } from "./handlers.ts";
import { type RequestBudget, type RequestKind } from "./request_budget.ts";
import { serveLs } from "./serve_ls.ts";
import { STALL_MS } from "./stalled_write.ts";
import type { Throttle } from "./throttle.ts";
import { serveRead, serveReadMany } from "./serve_read.ts";

const log = logger("rpc");

/** The largest request frame accepted. */
export const MAX_REQUEST = 64 * 1024;

/** The handler of each request type: a new request type is a new entry here. */
const ROUTES: { [T in Request["type"]]: Route<Extract<Request, { type: T }>> } = {
  ls: budgeted("ls", serveLs),
  read: serveRead, // small or large, as the file's size says: it takes its own place
  readMany: budgeted("read-many", serveReadMany),
  announce: budgeted("announce", serveAnnounce),
  befriend: budgeted("befriend", serveBefriend),
  relay: (exchange, request) =>
    serveCircuit(exchange, exchange.handlers.relay?.(exchange.requester, request)),
  relayed: (exchange, request) =>
    serveCircuit(exchange, exchange.handlers.relayed?.(exchange.requester, request)),
};

/** A route that runs within the node's {@link RequestBudget} for its kind (else `BUSY`). */
function budgeted<R extends Request>(kind: RequestKind, serve: Route<R>): Route<R> {
  return async (exchange, request) => {
    const leave = exchange.budget?.enter(exchange.requester.keyHex, kind);
    try {
      await serve(exchange, request);
    } finally {
      leave?.();
    }
  };
}

/** Options of {@link serveConnection}. */
export interface ServeOptions {
  /** How long a peer may take to send its request frame. Default 10 s. */
  requestTimeoutMs?: number;
  /** Whether the request's connection is closed: its failure is then no news (logged at debug). */
  gone?: () => boolean;
  /** What the node serves at once, shared by all its connections; without it, no limit. */
  budget?: RequestBudget;
  /** How long a requester may take no data. Default {@link STALL_MS}. */
  stallMs?: number;
  /** The node's upload limit, shared by all its connections; without it, unlimited. */
  throttle?: Throttle;
}

/** Serves every stream the peer opens on `connection`, until it closes. */
export async function serveConnection(
  connection: PeerConnection,
  requester: PeerRef,
  handlers: Handlers,
  options: ServeOptions = {},
): Promise<void> {
  const each = { ...options, gone: () => connection.isClosed };
  try {
    for (;;) {
      const { value: stream, done } = await connection.incoming.read();
      if (done) return;
      const release = connection.hold();
      serveStream(stream, requester, handlers, each).finally(release).catch((error) => {
        log.debug("a request stream failed", { peer: requester.name, error: messageOf(error) });
      });
    }
  } catch (error) {
    if (!connection.isClosed) {
      log.debug("stopped serving a peer", { peer: requester.name, error: messageOf(error) });
    }
  }
}

/** Serves one request stream. */
export async function serveStream(
  stream: PeerStream,
  requester: PeerRef,
  handlers: Handlers,
  options: ServeOptions = {},
): Promise<void> {
  const writer = stream.writable.getWriter();
  const reader = new FrameReader(stream.readable);
  let taken = false;
  const handOver = (): PeerStream => {
    taken = true;
    return circuitStream(reader, throughWriter(writer));
  };
  try {
    const frame = await withTimeout(reader.readFrame(MAX_REQUEST), {
      ms: options.requestTimeoutMs ?? 10_000,
      error: () => hdpError("TIMEOUT", "No request arrived in time"),
    });
    if (frame === undefined) throw hdpError("BAD_REQUEST", "The stream ended before a request");
    const request = parseRequest(frame);
    log.debug("request", { peer: requester.name, type: request.type });
    await route({
      writer,
      reader,
      requester,
      handlers,
      stallMs: options.stallMs ?? STALL_MS,
      handOver,
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.throttle ? { throttle: options.throttle } : {}),
    }, request);
    if (!taken) await writer.close();
  } catch (error) {
    const coded = toHdpError(error);
    // Only a fault of this node is news. Cut off by its connection closing (a retired duplicate,
    // a peer that left), a requester that stopped reading (a pause, a cancel), a bad request: debug.
    const ours = (coded.code === "INTERNAL" || coded.code === "IO") && !options.gone?.();
    log[ours ? "warn" : "debug"]("a request failed", {
      peer: requester.name,
      error: `${coded.message} [${coded.code}]`,
    });
    // a circuit's bytes may already have gone: an error frame would be read as circuit bytes
    if (taken) await writer.abort(coded).catch(() => {});
    else await sendError(writer, coded.toJSON());
  } finally {
    if (!taken) await reader.cancel().catch(() => {});
  }
}

/** Answers `ack` to an accepted circuit, then runs it on the rest of the stream. */
async function serveCircuit(
  exchange: Exchange,
  accepted: Promise<Circuit> | undefined,
): Promise<void> {
  if (!accepted) throw hdpError("FORBIDDEN", "This node does not take relayed circuits");
  const circuit = await accepted;
  try {
    await exchange.writer.write(encodeFrame({ type: "ack" }));
  } catch (error) {
    circuit.abandon(error);
    throw error;
  }
  await circuit.run(exchange.handOver());
}

function route(exchange: Exchange, request: Request): Promise<void> {
  // each entry takes its own request type: the table's type says so, the lookup cannot
  const serve = ROUTES[request.type] as Route<Request>;
  return serve(exchange, request);
}

async function serveAnnounce(
  { writer, requester, handlers }: Exchange,
  request: AnnounceRequest,
): Promise<void> {
  await handlers.announce(requester, request);
  await writer.write(encodeFrame({ type: "ack" }));
}

async function serveBefriend({ writer, requester, handlers }: Exchange): Promise<void> {
  handlers.befriend?.(requester);
  await writer.write(encodeFrame({ type: "ack" }));
}

async function sendError(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  reason: Reason,
): Promise<void> {
  const frame: ErrorResponse = { type: "error", ...reason };
  try {
    await writer.write(encodeFrame(frame));
    await writer.close();
  } catch {
    // the stream is gone, or data was already sent (then the abort below tells the reader)
    await writer.abort().catch(() => {});
  }
}
