/**
 * Serving a peer's requests: one stream per request, the first frame says what it is. Every
 * failure becomes an error frame on that stream; the connection and the node carry on.
 */
import { logger } from "../log.ts";
import type { OpenFile } from "../shares/shares.ts";
import type { LsPage, LsQuery } from "../shares/query.ts";
import type { PeerConnection } from "../transport/quic.ts";
import { type ErrorCode, hdpError, messageOf, toHdpError } from "../wire/errors.ts";
import { encodeCbor } from "../wire/codec.ts";
import { encodeFrame, FrameReader } from "../wire/frame.ts";
import {
  type AnnounceRequest,
  type EndResponse,
  type ErrorResponse,
  type FileErrorResponse,
  type LsRequest,
  MAX_READ_MANY_FILE,
  type PageResponse,
  parseRequest,
  type ReadManyRequest,
  type ReadOkResponse,
  type ReadRequest,
} from "../wire/messages.ts";

const log = logger("rpc");

/** The largest request frame accepted. */
export const MAX_REQUEST = 64 * 1024;
const READ_CHUNK = 1024 * 1024;
/**
 * File chunks are read synchronously while the disk answers quickly (from the page cache, or
 * read ahead): a synchronous read costs the event loop less than handing it to a thread. A read
 * slower than this switches the file to asynchronous reads, so a slow disk never stalls the node.
 */
const SLOW_READ_MS = 5;
/** Reads of at most this many bytes are served without waiting for an upload slot. */
export const SMALL_READ = 1024 * 1024;

/** Who is asking. */
export interface Requester {
  keyHex: string;
  name: string;
}

/** What the node does for each request. */
export interface Handlers {
  ls(query: LsQuery): AsyncGenerator<LsPage>;
  openFile(path: string): OpenFile | Promise<OpenFile>;
  announce(from: Requester, request: AnnounceRequest): Promise<void>;
  /** Waits for an upload slot, reporting queue positions; resolves with the release function. */
  uploadSlot?(
    from: Requester,
    onPosition: (position: number) => void,
    signal: AbortSignal,
  ): Promise<() => void>;
  /** Hears about each read served, for the uploads list and the history. */
  onUpload?(from: Requester, path: string, bytes: number): UploadTracker;
}

/** Follows one upload. */
export interface UploadTracker {
  queued(position: number): void;
  started(): void;
  progress(bytes: number): void;
  /** `ok` false: it broke off. */
  done(ok: boolean): void;
}

/** Options of {@link serveConnection}. */
export interface ServeOptions {
  /** How long a peer may take to send its request frame. Default 10 s. */
  requestTimeoutMs?: number;
}

/** Serves every stream the peer opens on `connection`, until it closes. */
export async function serveConnection(
  connection: PeerConnection,
  requester: Requester,
  handlers: Handlers,
  options: ServeOptions = {},
): Promise<void> {
  try {
    for (;;) {
      const { value: stream, done } = await connection.incoming.read();
      if (done) return;
      const release = connection.hold();
      serveStream(stream, requester, handlers, options).finally(release).catch((error) => {
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
  stream: Deno.QuicBidirectionalStream,
  requester: Requester,
  handlers: Handlers,
  options: ServeOptions = {},
): Promise<void> {
  const writer = stream.writable.getWriter();
  const reader = new FrameReader(stream.readable);
  try {
    const timeout = options.requestTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = await Promise.race([
      reader.readFrame(MAX_REQUEST),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(hdpError("TIMEOUT", "No request arrived in time")),
          timeout,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (frame === undefined) throw hdpError("BAD_REQUEST", "The stream ended before a request");
    const request = parseRequest(frame);
    log.debug("request", { peer: requester.name, type: request.type });
    if (request.type === "ls") await serveLs(writer, handlers, request);
    else if (request.type === "read") await serveRead(writer, reader, requester, handlers, request);
    else if (request.type === "readMany") await serveReadMany(writer, requester, handlers, request);
    else {
      await handlers.announce(requester, request);
      await writer.write(encodeFrame({ type: "ack" }));
    }
    await writer.close();
  } catch (error) {
    const coded = toHdpError(error);
    if (coded.code === "INTERNAL" || coded.code === "IO") {
      log.warn("a request failed", { peer: requester.name, error: coded.message });
    }
    await sendError(writer, coded.code, coded.message);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

async function sendError(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  code: ErrorCode,
  message: string,
): Promise<void> {
  const frame: ErrorResponse = { type: "error", code, message };
  try {
    await writer.write(encodeFrame(frame));
    await writer.close();
  } catch {
    // the stream is gone, or data was already sent (then the abort below tells the reader)
    await writer.abort().catch(() => {});
  }
}

async function serveLs(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  handlers: Handlers,
  request: LsRequest,
): Promise<void> {
  const query: LsQuery = { path: request.path, recursive: request.recursive };
  if (request.searchTerm !== undefined) query.searchTerm = request.searchTerm;
  if (request.cursor !== undefined) query.cursor = request.cursor;
  if (request.limit !== undefined) query.limit = request.limit;
  let last: LsPage | undefined;
  for await (const page of handlers.ls(query)) {
    last = page;
    const frame: PageResponse = { type: "page", entries: page.entries, partial: page.partial };
    if (page.cursor) frame.cursor = page.cursor;
    if (page.totals) frame.totals = page.totals;
    await writer.write(encodeFrame(frame)); // waits for the peer's flow control: backpressure
  }
  const end: EndResponse = { type: "end", partial: last?.partial ?? false };
  if (last?.totals) end.totals = last.totals;
  await writer.write(encodeFrame(end));
}

async function serveRead(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  reader: FrameReader,
  requester: Requester,
  handlers: Handlers,
  request: ReadRequest,
): Promise<void> {
  const open = await handlers.openFile(request.path);
  let release: (() => void) | undefined;
  let upload: UploadTracker | undefined;
  const abort = new AbortController();
  try {
    const start = request.start ?? 0;
    const end = Math.max(start, Math.min(request.end ?? open.size, open.size));
    if (start > open.size) {
      throw hdpError(
        "BAD_REQUEST",
        `Cannot read from byte ${start}: the file has ${open.size} bytes`,
      );
    }
    upload = handlers.onUpload?.(requester, request.path, end - start);
    if (handlers.uploadSlot && end - start > SMALL_READ) {
      // Small reads skip the queue: they cost little, and a folder of small files would crawl.
      // The requester hanging up while queued must free its place at once.
      reader.raw().next().then(() => abort.abort(), () => abort.abort());
      release = await handlers.uploadSlot(requester, (position) => {
        upload?.queued(position);
        writer.write(encodeFrame({ type: "queued", position })).catch(() => abort.abort());
      }, abort.signal);
    }
    upload?.started();
    const ok: ReadOkResponse = { type: "ok", size: open.size, mtime: open.mtime, start, end };
    await writer.write(encodeFrame(ok));
    if (start > 0) await open.file.seek(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(Math.min(READ_CHUNK, Math.max(1, end - start)));
    let remaining = end - start;
    let sync = true;
    while (remaining > 0) {
      const into = buffer.subarray(0, Math.min(remaining, buffer.length));
      let n: number | null;
      if (sync) {
        const began = performance.now();
        n = open.file.readSync(into);
        if (performance.now() - began > SLOW_READ_MS) sync = false;
      } else {
        n = await open.file.read(into);
      }
      if (n === null) {
        // The file shrank under us: end the stream with an error, never with made-up bytes.
        await writer.abort(hdpError("IO", "The file shrank while it was being read"));
        return;
      }
      await writer.write(buffer.subarray(0, n));
      remaining -= n;
      upload?.progress(n);
    }
    upload?.done(true);
    upload = undefined;
  } finally {
    upload?.done(false);
    release?.();
    open.file.close();
  }
}

/** Answers are sent in writes of about this size: one write per small file would cost more. */
const READ_MANY_WRITE = 256 * 1024;

/**
 * Serves the files of a `ReadMany` one after the other: each whole, its header and bytes sent
 * together; a file that cannot be read gets an error frame with its path, and the rest go on.
 * Small files skip the upload queue, as small `Read`s do.
 */
async function serveReadMany(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  requester: Requester,
  handlers: Handlers,
  request: ReadManyRequest,
): Promise<void> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  /** Files in `pending`: they count as uploaded once written. */
  let sent: Array<{ path: string; size: number }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await writer.write(pending.length === 1 ? pending[0]! : concat(pending, pendingBytes));
    for (const { path, size } of sent) {
      const upload = handlers.onUpload?.(requester, path, size);
      upload?.started();
      upload?.done(true);
    }
    pending = [];
    pendingBytes = 0;
    sent = [];
  };
  for (const path of request.paths) {
    let answer: Uint8Array;
    try {
      const file = await wholeFile(handlers, path);
      answer = file.answer;
      sent.push({ path, size: file.size });
    } catch (error) {
      const coded = toHdpError(error);
      if (coded.code === "INTERNAL" || coded.code === "IO") {
        log.warn("a read failed", { peer: requester.name, error: coded.message });
      }
      const frame: FileErrorResponse = {
        type: "error",
        code: coded.code,
        message: coded.message,
        path,
      };
      answer = encodeFrame(frame);
    }
    pending.push(answer);
    pendingBytes += answer.length;
    if (pendingBytes >= READ_MANY_WRITE) await flush();
  }
  await flush();
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** One file of a `ReadMany`: its header frame and its bytes, in one array. */
async function wholeFile(
  handlers: Handlers,
  path: string,
): Promise<{ answer: Uint8Array; size: number }> {
  const open = await handlers.openFile(path);
  try {
    if (open.size > MAX_READ_MANY_FILE) {
      throw hdpError(
        "TOO_LARGE",
        `"${path}" has ${open.size} bytes: more than ReadMany serves, Read it alone`,
      );
    }
    const ok: ReadOkResponse = {
      type: "ok",
      size: open.size,
      mtime: open.mtime,
      start: 0,
      end: open.size,
    };
    const header = encodeCbor(ok);
    const out = new Uint8Array(4 + header.length + open.size);
    new DataView(out.buffer).setUint32(0, header.length);
    out.set(header, 4);
    let filled = 4 + header.length;
    while (filled < out.length) {
      // small and most likely cached: synchronous reads (see SLOW_READ_MS)
      const n = open.file.readSync(out.subarray(filled));
      if (n === null) throw hdpError("IO", `"${path}" shrank while it was being read`);
      filled += n;
    }
    return { answer: out, size: open.size };
  } finally {
    open.file.close();
  }
}
