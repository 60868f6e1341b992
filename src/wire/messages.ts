/**
 * The protocol's messages, one source of truth for both ends, with validators that turn decoded
 * CBOR from a peer into typed values or throw `BAD_REQUEST` / `PROTOCOL`. Documented field by
 * field in PROTOCOL.md.
 */
import { parseSearchFilter } from "./search_filter.ts";
import { hdpError, isErrorCode, type Reason } from "./errors.ts";
import { answered, type Fields, MAX_TEXT, served, version } from "./_checks.ts";
import { type LsEntry, type LsPage, type LsQuery, MAX_LS_LIMIT, type Totals } from "./entries.ts";
import {
  parseRelayedRequest,
  parseRelayRequest,
  type RelayedRequest,
  type RelayRequest,
} from "./relay_messages.ts";

// ---- requests (the first frame of every later stream, dialer or listener side alike)

/** List or search a peer's shares: a {@link LsQuery} that always says `recursive`. */
export interface LsRequest extends LsQuery {
  type: "ls";
  v: number;
  recursive: boolean;
}
/** Read a file or a byte range of it. */
export interface ReadRequest {
  type: "read";
  v: number;
  path: string;
  /** First byte, default 0. */
  start?: number;
  /** One past the last byte, default the file's size. */
  end?: number;
  /**
   * A person waits for it (playing, previewing): it skips the upload queue, within a small budget,
   * and its first bytes go ahead of bulk transfers (PROTOCOL.md, "Read").
   */
  interactive?: boolean;
  /**
   * The requester keeps its side of the stream open while it reads, so its end (or reset) before
   * the last byte means it left: the read is dropped at once (PROTOCOL.md, "Read"). Without it,
   * only a reset does (a requester may have closed its side right after the request).
   */
  keepsOpen?: boolean;
}
/**
 * Read several small files whole, one after the other on this one stream: a folder of small
 * files would otherwise cost a stream (a round trip) per file.
 */
export interface ReadManyRequest {
  type: "readMany";
  v: number;
  /** 1 to {@link MAX_READ_MANY} paths. */
  paths: string[];
}
/** Tell a peer about another peer (gossip). */
export interface AnnounceRequest {
  type: "announce";
  v: number;
  /** The other peer's announce address, `hdp1…`. */
  address: string;
  /** Signed by the peer the address describes (issue: gossip), absent for now. */
  signature?: Uint8Array;
  /** When it was signed, ms since the epoch. */
  time?: number;
  /**
   * The peer asks not to be passed on (`--no-gossip-me`); signed with the address (PROTOCOL.md,
   * "Gossip and privacy"), so nobody on the way can drop it.
   */
  unlisted?: boolean;
}
/** The requester's owner added this node by its announce address and asks to be its friend. */
export interface BefriendRequest {
  type: "befriend";
  v: number;
}
/** Any request. */
export type Request =
  | LsRequest
  | ReadRequest
  | ReadManyRequest
  | AnnounceRequest
  | BefriendRequest
  | RelayRequest
  | RelayedRequest;

// ---- responses

/** A page of an `Ls` answer; more pages or an `end` follow. */
export interface PageResponse extends LsPage {
  type: "page";
}
/** The last frame of an `Ls` answer. */
export interface EndResponse {
  type: "end";
  totals?: Totals;
  partial: boolean;
}
/** A `Read` is waiting for an upload slot; sent again when the position changes. */
export interface QueuedResponse {
  type: "queued";
  position: number;
}
/** A `Read` starts: exactly `end - start` raw bytes follow, then the stream ends. */
export interface ReadOkResponse {
  type: "ok";
  /** The file's whole size. */
  size: number;
  mtime: number;
  start: number;
  end: number;
}
/** One file of a `ReadMany` could not be read; the answers of the other files go on. */
export interface FileErrorResponse extends ErrorResponse {
  /** The path asked for: this is what tells it from an error of the whole request. */
  path: string;
}
/** An `AnnouncePeer` was taken. */
export interface AckResponse {
  type: "ack";
}
/** Any request can fail with one of these instead of its answer. */
export interface ErrorResponse extends Reason {
  type: "error";
}
/**
 * A `Read` that starts past the end of the file: `BAD_REQUEST` (what every peer knows) with the
 * file's size, so the requester can tell it from other bad requests without reading the message.
 */
export interface PastEndResponse extends ErrorResponse {
  code: "BAD_REQUEST";
  /** The file's whole size. */
  size: number;
}

/** Most paths in one `ReadMany`. */
export const MAX_READ_MANY = 256;
/**
 * What counts as a small file: the largest file a `ReadMany` serves (a bigger one is answered
 * `TOO_LARGE`: `Read` it alone), and the size up to which a `Read` skips the upload-slot queue.
 */
export const SMALL_FILE_BYTES = 1024 * 1024;
/**
 * The first bytes of an interactive `Read` that go ahead of bulk transfers (on both ends); the
 * rest of it is paced like any other. Enough to start playing a song or open a picture.
 */
export const INTERACTIVE_BYTES = 4 * 1024 * 1024;
/** Validates a request frame from a peer. */
export function parseRequest(value: unknown): Request {
  const fields = served.object(value, "A request");
  const type = fields.type;
  if (type === "ls") {
    const request: LsRequest = {
      type,
      v: version(fields),
      path: served.text(fields, "path", true) ?? "",
      recursive: fields.recursive === true,
    };
    if (fields.recursive !== undefined && typeof fields.recursive !== "boolean") {
      throw hdpError("BAD_REQUEST", '"recursive" must be true or false');
    }
    const searchTerm = served.text(fields, "searchTerm", true);
    if (searchTerm !== undefined) request.searchTerm = searchTerm;
    Object.assign(request, parseSearchFilter(fields));
    const cursor = served.text(fields, "cursor", true);
    if (cursor !== undefined) request.cursor = cursor;
    const limit = served.count(fields, "limit", true);
    if (limit !== undefined) {
      if (limit < 1 || limit > MAX_LS_LIMIT) {
        throw hdpError("BAD_REQUEST", `"limit" must be 1 to ${MAX_LS_LIMIT}`);
      }
      request.limit = limit;
    }
    return request;
  }
  if (type === "read") {
    const request: ReadRequest = { type, v: version(fields), path: served.text(fields, "path")! };
    const start = served.count(fields, "start", true);
    const end = served.count(fields, "end", true);
    if (start !== undefined) request.start = start;
    if (end !== undefined) request.end = end;
    if (start !== undefined && end !== undefined && end < start) {
      throw hdpError("BAD_REQUEST", '"end" must not be before "start"');
    }
    if (fields.interactive === true) request.interactive = true;
    if (fields.keepsOpen === true) request.keepsOpen = true;
    return request;
  }
  if (type === "readMany") {
    const v = version(fields);
    const paths = fields.paths;
    if (!Array.isArray(paths) || paths.length < 1 || paths.length > MAX_READ_MANY) {
      throw hdpError("BAD_REQUEST", `"paths" must be a list of 1 to ${MAX_READ_MANY} paths`);
    }
    for (const path of paths) {
      if (typeof path !== "string" || path.length > MAX_TEXT) {
        throw hdpError("BAD_REQUEST", `Each path must be text of at most ${MAX_TEXT} characters`);
      }
    }
    return { type, v, paths: paths as string[] };
  }
  if (type === "announce") {
    const request: AnnounceRequest = {
      type,
      v: version(fields),
      address: served.text(fields, "address")!,
    };
    if (fields.signature !== undefined) request.signature = served.bytes(fields, "signature", 64);
    const time = served.count(fields, "time", true);
    if (time !== undefined) request.time = time;
    if (fields.unlisted === true) request.unlisted = true;
    return request;
  }
  if (type === "befriend") return { type, v: version(fields) };
  if (type === "relay") return parseRelayRequest(fields);
  if (type === "relayed") return parseRelayedRequest(fields);
  throw hdpError(
    "BAD_REQUEST",
    `Unknown request type ${JSON.stringify(String(type)).slice(0, 40)}`,
  );
}

/** Validates an error frame's fields (any response may be one). */
export function parseError(fields: Fields): ErrorResponse {
  return {
    type: "error",
    code: isErrorCode(fields.code) ? fields.code : "INTERNAL",
    message: typeof fields.message === "string"
      ? fields.message.slice(0, MAX_TEXT)
      : "Unknown error",
  };
}

/** Validates a frame of an `Ls` answer. */
export function parseLsResponse(value: unknown): PageResponse | EndResponse | ErrorResponse {
  const fields = answered.object(value, "An Ls answer");
  if (fields.type === "error") return parseError(fields);
  if (fields.type === "end") {
    const end: EndResponse = { type: "end", partial: fields.partial === true };
    if (fields.totals !== undefined) end.totals = parseTotals(fields.totals);
    return end;
  }
  if (fields.type !== "page" || !Array.isArray(fields.entries)) {
    throw hdpError("PROTOCOL", "Expected an Ls page, end or error");
  }
  const entries = fields.entries.map((raw): LsEntry => {
    const entry = answered.object(raw, "An entry");
    if (typeof entry.isDir !== "boolean") {
      throw hdpError("PROTOCOL", '"isDir" must be true or false');
    }
    return {
      name: answered.text(entry, "name")!,
      size: answered.count(entry, "size")!,
      isDir: entry.isDir,
      mtime: answered.count(entry, "mtime")!,
    };
  });
  const page: PageResponse = { type: "page", entries, partial: fields.partial === true };
  if (typeof fields.cursor === "string" && fields.cursor.length <= MAX_TEXT) {
    page.cursor = fields.cursor;
  }
  if (fields.totals !== undefined) page.totals = parseTotals(fields.totals);
  return page;
}

function parseTotals(value: unknown): Totals {
  const totals = answered.object(value, '"totals"');
  return { files: answered.count(totals, "files")!, bytes: answered.count(totals, "bytes")! };
}

/** Validates a header frame of a `Read` answer. */
export function parseReadResponse(
  value: unknown,
): QueuedResponse | ReadOkResponse | ErrorResponse | PastEndResponse {
  const fields = answered.object(value, "A Read answer");
  if (fields.type === "error") {
    const error = parseError(fields);
    if (error.code !== "BAD_REQUEST" || fields.size === undefined) return error;
    return { ...error, code: error.code, size: answered.count(fields, "size")! };
  }
  if (fields.type === "queued") {
    return { type: "queued", position: answered.count(fields, "position")! };
  }
  if (fields.type !== "ok") throw hdpError("PROTOCOL", "Expected ok, queued or error");
  const ok: ReadOkResponse = {
    type: "ok",
    size: answered.count(fields, "size")!,
    mtime: answered.count(fields, "mtime")!,
    start: answered.count(fields, "start")!,
    end: answered.count(fields, "end")!,
  };
  if (ok.start > ok.end || ok.end > ok.size) {
    throw hdpError("PROTOCOL", "The Read range is not within the file");
  }
  return ok;
}

/**
 * Validates an answer frame of a `ReadMany`: a file's header (its bytes follow), a file's error
 * (with its path), or an error of the whole request (without one; the stream then ends).
 */
export function parseReadManyResponse(
  value: unknown,
): ReadOkResponse | FileErrorResponse | ErrorResponse {
  const fields = answered.object(value, "A ReadMany answer");
  if (fields.type === "error") {
    const error = parseError(fields);
    if (fields.path === undefined) return error;
    return { ...error, path: answered.text(fields, "path")! };
  }
  const ok = parseReadResponse(value);
  if (ok.type !== "ok" || ok.start !== 0 || ok.end !== ok.size) {
    throw hdpError("PROTOCOL", "A ReadMany answer must be a whole file or an error");
  }
  return ok;
}

/** Validates an answer that is `ack` or an error (`AnnouncePeer`, `Befriend`, `Relay`, `Relayed`). */
export function parseAck(value: unknown): AckResponse | ErrorResponse {
  const fields = answered.object(value, "An answer");
  if (fields.type === "error") return parseError(fields);
  if (fields.type !== "ack") throw hdpError("PROTOCOL", "Expected ack or error");
  return { type: "ack" };
}
