/**
 * The HTTP answers of a peer's file streamed (see peer_stream.ts): the headers that describe it,
 * the body that carries a Read's bytes, and the answers that carry none (HEAD, 304, 416).
 */
import type { HdpNode } from "../node/mod.ts";
import { contentRange, type RangeAnswer } from "./byte_range.ts";
import { mediaType } from "../wire/mod.ts";
import type { ApiErrorBody } from "./types.ts";
import { entityTag, type FileVersion, lastModified } from "./validators.ts";

/** An open Read of a peer's file. */
export type ReadStream = Awaited<ReturnType<HdpNode["peerRead"]>>;

/** What an answer with bytes sends: the whole file or one range of it. */
export type Sent = Exclude<RangeAnswer, { kind: "unsatisfiable" }>;

/** The answer that sends a Read's bytes: `sent` of the file its header describes. */
export function bytesResponse(
  stream: ReadStream,
  path: string,
  { sent, signal }: { sent: Sent; signal: AbortSignal },
): Response {
  return new Response(readBody(stream, signal), {
    status: statusOf(sent),
    headers: sentHeaders(path, stream.header, sent),
  });
}

/** The answer of a HEAD: a GET's status and headers, no body. */
export function headResponse(path: string, version: FileVersion, sent: Sent): Response {
  return new Response(null, { status: statusOf(sent), headers: sentHeaders(path, version, sent) });
}

/** 304: the client's copy is this version. */
export function notModified(version: FileVersion): Response {
  return new Response(null, { status: 304, headers: versionHeaders(version) });
}

/** 416 with the file's size, and the coded error of every API answer. */
export function unsatisfiable(size: number): Response {
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

/** The headers of a slice asked by `start`/`end`: those the CLI's `read` reads. */
export function sliceHeaders(
  path: string,
  version: FileVersion,
  { start, end }: { start: number; end: number },
): Headers {
  const headers = new Headers(contentHeaders(path, end - start));
  headers.set("x-hdp-size", String(version.size));
  headers.set("x-hdp-mtime", String(version.mtime));
  headers.set("x-hdp-start", String(start));
  return headers;
}

/**
 * The bytes of a Read as a response body. Deno cancels the body when the client goes away; the
 * request's signal covers a client that leaves before the first byte is pulled.
 */
export function readBody(stream: ReadStream, signal: AbortSignal): ReadableStream<Uint8Array> {
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

function statusOf(sent: Sent): 200 | 206 {
  return sent.kind === "partial" ? 206 : 200;
}

/** The headers of an answer that sends the bytes `sent` names. */
function sentHeaders(path: string, version: FileVersion, sent: Sent): Headers {
  const { start, end } = sent.kind === "partial" ? sent : { start: 0, end: version.size };
  const headers = versionHeaders(version);
  for (const [name, value] of Object.entries(contentHeaders(path, end - start))) {
    headers.set(name, value);
  }
  headers.set("x-hdp-start", String(start));
  if (sent.kind === "partial") headers.set("content-range", contentRange(sent, version.size));
  return headers;
}

/** What describes the file whatever is sent of it: its validators, and that ranges work. */
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
