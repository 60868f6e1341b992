/**
 * Downloading one file: into `<name>.part`, resuming from its length, starting over when the
 * remote file changed since the part was begun (two versions are never spliced), renamed into
 * place when complete with the remote mtime. An existing complete file is never overwritten.
 */
import { dirname, join } from "node:path";
import { isInside } from "../shares/jail.ts";
import { HdpError, hdpError, messageOf } from "../wire/errors.ts";
import { partName, suffixedName } from "./local_path.ts";
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
  signal: AbortSignal;
}

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
  const decided = file.localRel ?? localSegments.join("/");
  const target = join(ctx.downloadDir, ...decided.split("/"));
  await ensureParent(ctx.downloadDir, target);
  if (file.localRel === undefined) {
    const chosen = await chooseName(target, file);
    if (chosen === null) return "already-there";
    file.localRel = [...decided.split("/").slice(0, -1), chosen].join("/");
    await ctx.save(file);
  }
  const finalPath = join(ctx.downloadDir, ...file.localRel.split("/"));
  const part = partName(finalPath);
  let have = await sizeOf(part);
  let read = await ctx.read(have);
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
    file.size = read.header.size;
    file.mtime = read.header.mtime;
    await ctx.save(file); // before any byte is written: the part's version must be known
  }
  await receive(part, have, read, ctx);
  await finish(part, finalPath, read.header.mtime);
  return "done";
}

async function receive(
  part: string,
  have: number,
  read: RemoteRead,
  ctx: TransferContext,
): Promise<void> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(part, { write: true, create: true });
  } catch (error) {
    await read.cancel();
    throw diskError(error, part);
  }
  try {
    if (have > 0) await handle.seek(have, Deno.SeekMode.Start);
    const onAbort = () => void read.cancel();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const chunk of read.body) {
        await writeAll(handle, chunk, part);
        ctx.progress(chunk.length);
      }
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
    if (ctx.signal.aborted) throw hdpError("UNAVAILABLE", "The download was stopped");
  } finally {
    handle.close();
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

/**
 * The name to save under: the wanted one if free; null when a file with the same size and mtime
 * is there already; otherwise the first free `name (n).ext`.
 */
async function chooseName(target: string, file: FileRecord): Promise<string | null> {
  const dir = dirname(target);
  const base = target.slice(dir.length + 1);
  for (let n = 0; n < 1000; n++) {
    const name = n === 0 ? base : suffixedName(base, n);
    const existing = await statOrNull(join(dir, name));
    if (!existing) return name;
    if (
      existing.isFile && existing.size === file.size && existing.mtime?.getTime() === file.mtime
    ) {
      return null; // this very file is there already
    }
  }
  throw hdpError("CONFLICT", `Cannot find a free name for "${base}"`);
}

/** Creates the parent directories and checks that they stay in the download dir. */
async function ensureParent(downloadDir: string, target: string): Promise<void> {
  const parent = dirname(target);
  try {
    await Deno.mkdir(parent, { recursive: true });
    const real = await Deno.realPath(parent);
    if (!isInside(downloadDir, real)) {
      throw hdpError(
        "FORBIDDEN",
        `Cannot save into "${parent}": a link there leads out of the download dir`,
      );
    }
  } catch (error) {
    if (error instanceof HdpError) throw error;
    throw diskError(error, parent);
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

/** Disk trouble is an `IO` error that says what happened in words a person can act on. */
function diskError(error: unknown, path: string): HdpError {
  const message = messageOf(error);
  if (/No space left|ENOSPC|os error 28/i.test(message)) {
    return hdpError("IO", `The disk is full (writing "${path}")`, error);
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return hdpError("IO", `Permission denied writing "${path}"`, error);
  }
  return hdpError("IO", `Cannot write "${path}": ${message}`, error);
}
