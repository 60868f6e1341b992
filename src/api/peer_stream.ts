/**
 * A peer's file over HTTP, with byte ranges so that browsers and players can seek: every answer
 * is one wire Read of exactly the bytes it sends (and at most one Read of none before it), and
 * nothing is written to the download dir. The Read is withdrawn when the HTTP client goes away.
 */
import type { HdpNode } from "../node/mod.ts";
import { toHdpError } from "../wire/mod.ts";
import { parseRange, type RangeSpec, resolveRange } from "./byte_range.ts";
import { readQueryFrom } from "./params.ts";
import {
  bytesResponse,
  headResponse,
  notModified,
  readBody,
  type ReadStream,
  type Sent,
  sliceHeaders,
  unsatisfiable,
} from "./stream_response.ts";
import { type FileVersion, noneMatchHits, rangeStillValid } from "./validators.ts";

/** What a stream needs of the node. */
export type StreamNode = Pick<HdpNode, "peerRead">;

type WireRange = { start?: number; end?: number };
/** A Read of the requested file of the requested peer, withdrawn if the client leaves. */
type Reader = (range: WireRange) => Promise<ReadStream>;

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
    if (head) return headResponse(path, version, answer);
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
  if (end === undefined || !Number.isSafeInteger(end)) return { start: spec.first };
  return { start: spec.first, end };
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
  if (asked.kind === "whole") return bytesResponse(stream, path, { sent: asked, signal });
  if (header.end <= header.start) {
    void stream.cancel(); // the file shrank between two Reads
    return unsatisfiable(header.size);
  }
  const sent: Sent = { kind: "partial", start: header.start, end: header.end };
  return bytesResponse(stream, path, { sent, signal });
}

/** The old answer of a slice given in the query: 200, with the x-hdp-* headers the CLI reads. */
async function sliceOf(
  read: Reader,
  path: string,
  { head, slice, signal }: { head: boolean; slice: WireRange; signal: AbortSignal },
): Promise<Response> {
  const at = slice.start ?? 0;
  const stream = await read(head ? { start: at, end: at } : slice);
  const { size } = stream.header;
  const end = head ? Math.max(at, Math.min(slice.end ?? size, size)) : stream.header.end;
  const headers = sliceHeaders(path, stream.header, { start: at, end });
  if (!head) return new Response(readBody(stream, signal), { headers });
  await drain(stream);
  return new Response(null, { headers });
}
