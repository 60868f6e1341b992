/**
 * Downloading one file: into `<name>.part`, resuming from its length, starting over when the
 * remote file changed since the part was begun (two versions are never spliced), renamed into
 * place when complete with the remote mtime. An existing complete file is never overwritten.
 */
import { HdpError, hdpError } from "../wire/mod.ts";
import { partName } from "./local_path.ts";
import { place } from "./placement.ts";
import { diskError, writeWholeSync } from "./whole_file.ts";
import type { FileRecord } from "./wishlist.ts";

/** A started read of a peer's file, as the transfer needs it. */
export interface RemoteRead {
  header: { size: number; mtime: number; start: number; end: number };
  body: AsyncIterable<Uint8Array>;
  cancel(): Promise<void>;
}

/** What a file transfer needs from its surroundings. */
export interface TransferContext {
  /** The real path of the download dir. */
  downloadDir: string;
  /** Starts reading the remote file from `start`. */
  read(start: number): Promise<RemoteRead>;
  /** Saves a change of the file's record (its local name, the version being fetched). */
  save(file: FileRecord): Promise<void>;
  /** Hears bytes as they arrive. */
  progress(bytes: number): void;
  /** Hears that the file's size at the peer is not what was listed. */
  resized(from: number, to: number): void;
  signal: AbortSignal;
  /** Directories already created and checked, shared by transfers (a folder of small files). */
  madeDirs: Set<string>;
}

/** Files of at most this size are written with synchronous calls in one go. */
const SMALL_WRITE = 256 * 1024;

/**
 * Chunks are written synchronously while the disk takes them quickly (into the page cache: a
 * synchronous write costs the event loop less than handing it to a thread); a write slower than
 * this switches the file to asynchronous writes, so a slow disk never stalls the node.
 */
const SLOW_WRITE_MS = 10;

/** How a transfer ended. */
export type TransferResult = "done" | "already-there";

/**
 * Downloads `file` (its record is updated in place and saved through `ctx.save`). Throws coded
 * errors: `IO` (disk full, permissions: the item should pause), `FORBIDDEN` (a link in the
 * download dir leads out), the peer's errors, `UNAVAILABLE` when the connection breaks.
 */
export async function transferFile(
  file: FileRecord,
  localSegments: string[],
  ctx: TransferContext,
): Promise<TransferResult> {
  const named = file.localRel === undefined;
  const finalPath = place(file, localSegments, ctx.downloadDir, ctx.madeDirs);
  if (finalPath === null) return "already-there";
  if (named) await ctx.save(file);
  const part = partName(finalPath);
  // Without a record of the part's version its bytes are not trusted: no need to look at it.
  let have = file.expected ? await sizeOf(part) : 0;
  let read: RemoteRead;
  try {
    read = await ctx.read(have);
  } catch (error) {
    // The peer's file is now shorter than the part: it changed, so start over (below).
    if (have === 0 || !(error instanceof HdpError) || error.code !== "OUT_OF_RANGE") throw error;
    await truncate(part);
    have = 0;
    read = await ctx.read(0);
  }
  // A part of unknown version (no record of what was fetched into it) is not trusted either.
  const changed = !file.expected ||
    file.expected.size !== read.header.size || file.expected.mtime !== read.header.mtime;
  if (have > 0 && (changed || have > read.header.size)) {
    // The part holds bytes of another version: start over rather than splice two versions.
    await read.cancel();
    await truncate(part);
    have = 0;
    read = await ctx.read(0);
  }
  if (
    !file.expected || file.expected.size !== read.header.size ||
    file.expected.mtime !== read.header.mtime
  ) {
    file.expected = { size: read.header.size, mtime: read.header.mtime };
    if (file.size !== read.header.size) ctx.resized(file.size, read.header.size);
    file.size = read.header.size;
    file.mtime = read.header.mtime;
    await ctx.save(file); // before any byte is written: the part's version must be known
  }
  if (have === 0 && read.header.end - read.header.start <= SMALL_WRITE) {
    await receiveSmall(part, finalPath, read, ctx);
    return "done";
  }
  await receive(part, have, read, ctx);
  await finish(part, finalPath, read.header.mtime);
  return "done";
}

/**
 * A small file is gathered in memory and written with a few synchronous calls: each async file
 * call costs ~100 µs here, and a folder of small files is thousands of them. The calls block for
 * tens of microseconds, which the event loop can spare.
 */
async function receiveSmall(
  part: string,
  finalPath: string,
  read: RemoteRead,
  ctx: TransferContext,
): Promise<void> {
  const data = new Uint8Array(read.header.end - read.header.start);
  let offset = 0;
  const onAbort = () => void read.cancel();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  if (ctx.signal.aborted) onAbort(); // stopped while the file was being placed
  try {
    for await (const chunk of read.body) {
      if (ctx.signal.aborted) break;
      data.set(chunk, offset);
      offset += chunk.length;
      ctx.progress(chunk.length);
    }
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (ctx.signal.aborted) throw hdpError("UNAVAILABLE", "The download was stopped");
  writeWholeSync({ part, finalPath, data, mtime: read.header.mtime });
}

async function receive(
  part: string,
  have: number,
  read: RemoteRead,
  ctx: TransferContext,
): Promise<void> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(part, { write: true, create: true, truncate: have === 0 });
  } catch (error) {
    await read.cancel();
    throw diskError(error, part);
  }
  let writing: Promise<void> = Promise.resolve();
  let sync = true;
  try {
    if (have > 0) await handle.seek(have, Deno.SeekMode.Start);
    const onAbort = () => void read.cancel();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal.aborted) onAbort(); // stopped while the part was being opened
    try {
      for await (const chunk of read.body) {
        if (ctx.signal.aborted) break; // not one more byte into the part
        if (sync) {
          const began = performance.now();
          writeAllSync(handle, chunk, part);
          if (performance.now() - began > SLOW_WRITE_MS) sync = false;
        } else {
          // Write chunk n while chunk n + 1 arrives (the body keeps two buffers for that).
          await writing;
          writing = writeAll(handle, chunk, part);
        }
        ctx.progress(chunk.length);
      }
      await writing;
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      await writing.catch(() => {});
    }
    if (ctx.signal.aborted) throw hdpError("UNAVAILABLE", "The download was stopped");
  } finally {
    handle.close();
  }
}

function writeAllSync(handle: Deno.FsFile, chunk: Uint8Array, path: string): void {
  let offset = 0;
  try {
    while (offset < chunk.length) offset += handle.writeSync(chunk.subarray(offset));
  } catch (error) {
    throw diskError(error, path);
  }
}

async function writeAll(handle: Deno.FsFile, chunk: Uint8Array, path: string): Promise<void> {
  let offset = 0;
  try {
    while (offset < chunk.length) offset += await handle.write(chunk.subarray(offset));
  } catch (error) {
    throw diskError(error, path);
  }
}

async function finish(part: string, finalPath: string, mtime: number): Promise<void> {
  try {
    await Deno.utime(part, new Date(), new Date(mtime));
    await Deno.rename(part, finalPath);
  } catch (error) {
    throw diskError(error, finalPath);
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await statOrNull(path))?.size ?? 0;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw diskError(error, path);
  }
}

async function truncate(path: string): Promise<void> {
  try {
    await Deno.truncate(path, 0);
  } catch (error) {
    throw diskError(error, path);
  }
}
