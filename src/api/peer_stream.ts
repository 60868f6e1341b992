/**
 * A peer's file over HTTP, with byte ranges so that browsers and players can seek: every answer
 * is one wire Read of exactly the bytes it sends (and at most one Read of none before it), and
 * nothing is written to the download dir. The Read is withdrawn when the HTTP client goes away.
 */
import type { HdpNode } from "../node/mod.ts";
import { toHdpError } from "../wire/mod.ts";
import {
  contentRange,
  parseRange,
  type RangeAnswer,
  type RangeSpec,
  resolveRange,
} from "./byte_range.ts";
import { mediaType } from "./media_type.ts";
import { readQueryFrom } from "./params.ts";
import type { ApiErrorBody } from "./types.ts";
import {
  entityTag,
  type FileVersion,
  lastModified,
  noneMatchHits,
  rangeStillValid,
} from "./validators.ts";

/** What a stream needs of the node. */
export type StreamNode = Pick<HdpNode, "peerRead">;

type ReadStream = Awaited<ReturnType<HdpNode["peerRead"]>>;
type WireRange = { start?: number; end?: number };
/** A Read of the requested file of the requested peer, withdrawn if the client leaves. */
type Reader = (range: WireRange) => Promise<ReadStream>;
type Sent = Exclude<RangeAnswer, { kind: "unsatisfiable" }>;

/**
 * Answers `GET` or `HEAD /api/peers/PEER/read?path=…`. With `start`/`end` in the query (the
 * CLI's `read --start --end`) the Range header is ignored and the slice answered with 200.
 */
export async function streamPeerFile(
  node: StreamNode,
  peer: string,
  request: Request,
): Promise<Response> {
  const { path, ...slice } = readQueryFrom(new URL(request.url));
  const head = request.method === "HEAD";
  const read: Reader = (range) =>
    node.peerRead(peer, { path, ...range }, { signal: request.signal });
  if (slice.start !== undefined || slice.end !== undefined) {
    return await sliceOf(read, path, { head, slice, signal: request.signal });
  }
  const spec = parseRange(request.headers.get("range"));
  const noneMatch = request.headers.get("if-none-match");
  const ifRange = spec === undefined ? null : request.headers.get("if-range");
  const direct = readFor(spec);
  // The size decides a suffix range and every header of a HEAD, the version decides the
  // conditions, and only the peer knows them. A Read of no bytes learns both at once: it is
  // small, so the peer answers it at once (large Reads wait for an upload slot), and no byte is
  // sent. Reading the header of a large Read and cancelling it would wait for a slot and make the
  // peer start sending. The common requests (no Range, `a-b`, `a-`) need no such first Read: the
  // peer clamps `end` as RFC 9110 does, and its header carries the size.
  if (head || noneMatch !== null || ifRange !== null || direct === undefined) {
    const version = await probe(read);
    if (noneMatchHits(noneMatch, version)) return notModified(version);
    const answer = resolveRange(rangeStillValid(ifRange, version) ? spec : undefined, version.size);
    if (answer.kind === "unsatisfiable") return unsatisfiable(version.size);
    if (head) {
      return new Response(null, {
        status: statusOf(answer),
        ...sentHeaders(path, version, answer),
      });
    }
    // the file may have changed since the first Read: the second one's header tells what is sent
    return bodyOf(await read(answer.kind === "whole" ? {} : answer), path, answer, request.signal);
  }
  let stream: ReadStream;
  try {
    stream = await read(direct);
  } catch (error) {
    // `a` past the end: the peer refuses it without the size, which a 416 has to name
    if (toHdpError(error).code !== "OUT_OF_RANGE") throw error;
    return unsatisfiable((await probe(read)).size);
  }
  const answer = resolveRange(spec, stream.header.size);
  if (answer.kind === "unsatisfiable") {
    await drain(stream); // `a` at the very end: the peer answered no bytes
    return unsatisfiable(stream.header.size);
  }
  return bodyOf(stream, path, answer, request.signal);
}

/** The Read that answers a range without knowing the size; undefined when it takes the size. */
function readFor(spec: RangeSpec | undefined): WireRange | undefined {
  if (spec === undefined) return {};
  if (spec.kind === "suffix" || !Number.isSafeInteger(spec.first)) return undefined;
  const end = spec.last === undefined ? undefined : spec.last + 1;
  // a `last` too large for the wire is past every end: read to the end
  return end !== undefined && Number.isSafeInteger(end) ? { start: spec.first, end } : {
    start: spec.first,
  };
}

/** The size and mtime of the file, by a Read of no bytes. */
async function probe(read: Reader): Promise<FileVersion> {
  const stream = await read({ start: 0, end: 0 });
  await drain(stream);
  return { size: stream.header.size, mtime: stream.header.mtime };
}

/** Ends a Read of no bytes: drained, not cancelled, its end is the peer's clean goodbye. */
async function drain(stream: ReadStream): Promise<void> {
  // no chunk comes: the body throws PROTOCOL for a byte more than its header announced
  for await (const _ of stream.body) continue;
}

/** The answer of a Read whose header is in: its own header says what it sends. */
function bodyOf(stream: ReadStream, path: string, asked: Sent, signal: AbortSignal): Response {
  const { header } = stream;
  const sent: RangeAnswer = asked.kind === "whole"
    ? asked
    : header.end > header.start
    ? { kind: "partial", start: header.start, end: header.end }
    : { kind: "unsatisfiable" }; // the file shrank between two Reads
  if (sent.kind === "unsatisfiable") {
    void stream.cancel();
    return unsatisfiable(header.size);
  }
  return new Response(toReadable(stream, signal), {
    status: statusOf(sent),
    ...sentHeaders(path, header, sent),
  });
}

/** The old answer of a slice given in the query: 200, with the x-hdp-* headers the CLI reads. */
async function sliceOf(
  read: Reader,
  path: string,
  { head, slice, signal }: { head: boolean; slice: WireRange; signal: AbortSignal },
): Promise<Response> {
  const at = slice.start ?? 0;
  const stream = await read(head ? { start: at, end: at } : slice);
  const { size, mtime } = stream.header;
  const end = head ? Math.max(at, Math.min(slice.end ?? size, size)) : stream.header.end;
  const headers = new Headers(contentHeaders(path, end - at));
  headers.set("x-hdp-size", String(size));
  headers.set("x-hdp-mtime", String(mtime));
  headers.set("x-hdp-start", String(at));
  if (head) {
    await drain(stream);
    return new Response(null, { headers });
  }
  return new Response(toReadable(stream, signal), { headers });
}

function statusOf(answer: Sent): 200 | 206 {
  return answer.kind === "partial" ? 206 : 200;
}

/** The headers of an answer that sends the bytes `answer` names. */
function sentHeaders(path: string, version: FileVersion, answer: Sent): { headers: Headers } {
  const { start, end } = answer.kind === "partial" ? answer : { start: 0, end: version.size };
  const headers = versionHeaders(version);
  for (const [name, value] of Object.entries(contentHeaders(path, end - start))) {
    headers.set(name, value);
  }
  headers.set("x-hdp-start", String(start));
  if (answer.kind === "partial") headers.set("content-range", contentRange(answer, version.size));
  return { headers };
}

/** What describes the file whatever is sent of it: its validators and that ranges work. */
function versionHeaders(version: FileVersion): Headers {
  const headers = new Headers({
    "accept-ranges": "bytes",
    "etag": entityTag(version),
    // a peer's file may change at any time: a cached copy is checked (a cheap 304) before use
    "cache-control": "private, no-cache",
    "x-hdp-size": String(version.size),
    "x-hdp-mtime": String(version.mtime),
  });
  const date = lastModified(version);
  if (date !== undefined) headers.set("last-modified", date);
  return headers;
}

function contentHeaders(path: string, length: number): Record<string, string> {
  return {
    "content-type": mediaType(path),
    "content-length": String(length),
    "x-content-type-options": "nosniff",
    // a peer's file is someone else's content: never let it run as a page of this origin
    "content-security-policy": "sandbox",
  };
}

function notModified(version: FileVersion): Response {
  return new Response(null, { status: 304, headers: versionHeaders(version) });
}

function unsatisfiable(size: number): Response {
  const body: ApiErrorBody = {
    error: {
      code: "OUT_OF_RANGE",
      message: `The range asked for is not in the file's ${size} bytes`,
    },
  };
  return Response.json(body, {
    status: 416,
    headers: {
      "accept-ranges": "bytes",
      "content-range": contentRange({ kind: "unsatisfiable" }, size),
    },
  });
}

/**
 * The bytes of a Read as a response body. Deno cancels the body when the client goes away; the
 * request's signal covers a client that leaves before the first byte is pulled.
 */
function toReadable(stream: ReadStream, signal: AbortSignal): ReadableStream<Uint8Array> {
  let cancelled: Promise<void> | undefined;
  const cancel = (): Promise<void> => {
    signal.removeEventListener("abort", cancel);
    return cancelled ??= stream.cancel().catch(() => {});
  };
  if (signal.aborted) void cancel();
  else signal.addEventListener("abort", cancel, { once: true });
  return new ReadableStream({
    async pull(controller) {
      try {
        const { value, done } = await stream.body.next();
        if (done) {
          signal.removeEventListener("abort", cancel);
          controller.close();
        } else controller.enqueue(value.slice()); // the source reuses its buffer
      } catch (error) {
        signal.removeEventListener("abort", cancel);
        controller.error(error);
      }
    },
    cancel,
  });
}
