/**
 * Serving file bytes: `Read` (a file or a range, through the upload-slot queue when large) and
 * `ReadMany` (several small files whole, on one stream). This is the hot path of every download.
 */
import { logger } from "../log.ts";
import {
  encodeFrame,
  type FileErrorResponse,
  hdpError,
  INTERACTIVE_BYTES,
  type PastEndResponse,
  type PeerRef,
  type ReadManyRequest,
  type ReadOkResponse,
  type ReadRequest,
  SMALL_FILE_BYTES,
  toHdpError,
} from "../wire/mod.ts";
import type { Exchange, Handlers, SlotHeld, UploadTracker } from "./handlers.ts";
import { sender } from "./piece_sender.ts";
import { giveBackReadBuffer, takeReadBuffer } from "./read_buffers.ts";

const log = logger("rpc");

/**
 * File chunks are read synchronously while the disk answers quickly (from the page cache, or
 * read ahead): a synchronous read costs the event loop less than handing it to a thread. A read
 * slower than this switches the file to asynchronous reads, so a slow disk never stalls the node.
 */
const SLOW_READ_MS = 5;
/** Answers are sent in writes of about this size: one write per small file would cost more. */
const READ_MANY_WRITE = 256 * 1024;

/** Serves a `Read`: waits for an upload slot unless small, sends the header, then the bytes. */
export async function serveRead(
  { writer, reader, requester, handlers, budget, stallMs, throttle }: Exchange,
  request: ReadRequest,
): Promise<void> {
  const refusal = handlers.refused?.(requester, request.path);
  if (refusal) throw refusal; // the owner cancelled it as it was sent: its retry is told why
  const open = await handlers.openFile(request.path, requester);
  let leave: (() => void) | undefined;
  let slot: SlotHeld | undefined;
  let upload: UploadTracker | undefined;
  const abort = new AbortController();
  let sending = false;
  /** Every byte is written: the requester ending its side now is its goodbye. */
  let finished = false;
  /** Why this node ended the read: the owner cancelled it, or its slot went to another peer. */
  let ended: unknown;
  const stop = (reason: unknown) => {
    ended ??= reason;
    abort.abort(reason); // a read waiting for its slot is answered the reason
    // bytes flowing: reset now, even while a write waits for a requester that reads slowly
    if (sending) void writer.abort(reason).catch(() => {});
    // The reset waits for the write in flight, which hangs while the requester takes nothing:
    // the slot goes on now (that write ends at the stall timeout at the latest).
    upload?.done(false);
    slot?.release();
    leave?.(); // its budget too: a player that seeks opens the next read at once
    leave = undefined;
  };
  const cancelled = () => stop(upload?.stop?.reason);
  const yielded = () => stop(slot?.yielded?.reason);
  const interactive = request.interactive === true;
  let sent = 0;
  const send = sender(writer, stallMs, (n) => {
    // a person waits for the first bytes of an interactive read: they go ahead of bulk ones
    const priority = interactive && sent < INTERACTIVE_BYTES ? "interactive" : "bulk";
    sent += n;
    return throttle?.take(requester.keyHex, n, { priority });
  });
  try {
    const start = request.start ?? 0;
    const end = Math.max(start, Math.min(request.end ?? open.size, open.size));
    if (start > open.size) {
      // BAD_REQUEST for peers of every version; the size tells it apart without reading text
      const pastEnd: PastEndResponse = {
        type: "error",
        code: "BAD_REQUEST",
        message: `Cannot read from byte ${start}: the file has ${open.size} bytes`,
        size: open.size,
      };
      await send(encodeFrame(pastEnd));
      return;
    }
    // An interactive read (played, previewed) skips the slot queue, within its own small budget.
    const large = handlers.uploadSlot !== undefined && end - start > SMALL_FILE_BYTES &&
      !interactive;
    const kind = interactive && end - start > SMALL_FILE_BYTES
      ? "interactive-read"
      : large
      ? "large-read"
      : "small-read";
    leave = budget?.enter(requester.keyHex, kind);
    upload = end - start < open.size
      ? handlers.onUpload?.(requester, request.path, end - start, open.size)
      : handlers.onUpload?.(requester, request.path, end - start);
    upload?.stop?.addEventListener("abort", cancelled, { once: true });
    // A requester that keeps its side open while it reads (`keepsOpen`) ends it to leave (a
    // pause, a seek, a cancel; Deno's QUIC sends an abort as a plain end); any requester may reset
    // it. Then everything the read holds goes at once, even while a write waits on a requester
    // that takes nothing. (After the last byte it ends its side too: that is no leaving.) One
    // that ends its side at once, with its request, only withdraws a read still queued.
    const left = () => {
      if (!finished) stop(hdpError("UNAVAILABLE", "The requester left"));
    };
    reader.raw().next().then(() => {
      if (request.keepsOpen) left();
      else if (!sending) abort.abort();
    }, left);
    if (large) {
      // Small reads skip the queue: they cost little, and a folder of small files would crawl.
      slot = await handlers.uploadSlot!(requester, (position) => {
        upload?.queued(position);
        writer.write(encodeFrame({ type: "queued", position })).catch(() => abort.abort());
      }, abort.signal);
      slot.yielded?.addEventListener("abort", yielded, { once: true });
      if (slot.yielded?.aborted) throw slot.yielded.reason;
    }
    upload?.started();
    const ok: ReadOkResponse = { type: "ok", size: open.size, mtime: open.mtime, start, end };
    await send(encodeFrame(ok));
    sending = true;
    if (start > 0) await open.file.seek(start, Deno.SeekMode.Start);
    const buffer = takeReadBuffer(end - start);
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
      if (ended !== undefined) {
        // cancelled by this node's owner (its next try hears why, see `refused`), or the slot
        // went to another peer: the reset tells the requester at once
        await writer.abort(ended).catch(() => {});
        throw ended;
      }
      if (n === null) {
        // The file shrank under us: end the stream with an error, never with made-up bytes.
        await writer.abort(hdpError("IO", "The file shrank while it was being read"));
        return;
      }
      if (n === remaining && changedSince(open)) {
        // Rewritten while it was sent: the bytes may mix two versions. The last chunk is held
        // back and the stream reset, so the requester can never take them for the whole file;
        // its retry sees the new version and starts over.
        const changed = hdpError("CONFLICT", `"${request.path}" changed while it was being sent`);
        log.info("a file changed while it was being sent; the reader will start over", {
          path: request.path,
        });
        await writer.abort(changed);
        throw changed; // the stream is reset: nothing more goes on it
      }
      await send(buffer.subarray(0, n));
      remaining -= n;
      upload?.progress(n);
    }
    finished = true;
    giveBackReadBuffer(buffer); // every write of it is done
    upload?.done(true);
    upload = undefined;
  } catch (error) {
    // a write cut short by the owner's cancel (or a yield) ends with it, not with the reset it made
    throw ended ?? error;
  } finally {
    upload?.stop?.removeEventListener("abort", cancelled);
    slot?.yielded?.removeEventListener("abort", yielded);
    upload?.done(false);
    slot?.release();
    leave?.();
    open.file.close();
  }
}

/** Whether the open file's size or modification time differ from what its header said. */
function changedSince(open: { file: Deno.FsFile; size: number; mtime: number }): boolean {
  const now = open.file.statSync();
  return now.size !== open.size || (now.mtime?.getTime() ?? 0) !== open.mtime;
}

/**
 * Serves the files of a `ReadMany` one after the other: each whole, its header and bytes sent
 * together; a file that cannot be read gets an error frame with its path, and the rest go on.
 * Small files skip the upload queue, as small `Read`s do.
 */
export async function serveReadMany(
  { writer, requester, handlers, stallMs, throttle }: Exchange,
  request: ReadManyRequest,
): Promise<void> {
  const send = sender(writer, stallMs, (n) => throttle?.take(requester.keyHex, n));
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  /** Files in `pending`: they count as uploaded once written. */
  let sent: Array<{ path: string; size: number }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await send(pending.length === 1 ? pending[0]! : concat(pending, pendingBytes));
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
      const file = await wholeFile(handlers, path, requester);
      answer = file.answer;
      sent.push({ path, size: file.size });
    } catch (error) {
      const { code, message } = toHdpError(error);
      if (code === "INTERNAL" || code === "IO") {
        log.warn("a read failed", { peer: requester.name, error: message });
      }
      const frame: FileErrorResponse = { type: "error", code, message, path };
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
  requester: PeerRef,
): Promise<{ answer: Uint8Array; size: number }> {
  const open = await handlers.openFile(path, requester);
  try {
    if (open.size > SMALL_FILE_BYTES) {
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
    const out = encodeFrame(ok, { followedBy: open.size });
    let filled = out.length - open.size;
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
