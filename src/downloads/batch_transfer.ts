/**
 * Downloading a batch of small files with one `ReadMany`: each file whole (none resumes), handed to
 * the writer's thread in groups, each settled as it ends.
 */
import { HdpError, hdpError, toHdpError } from "../wire/mod.ts";
import type { TransferResult } from "./file_transfer.ts";
import { partName } from "./local_path.ts";
import { place } from "./placement.ts";
import type { WholeFile } from "./whole_file.ts";
import type { FileRecord } from "./wishlist.ts";

/** One answer of a batched read: a whole file, or why it could not be read. */
export type BatchAnswer =
  | { path: string; header: { size: number; mtime: number }; data: Uint8Array }
  | { path: string; error: HdpError };

/** What a batch of small files needs from its surroundings. */
export interface BatchContext {
  /** The real path of the download dir. */
  downloadDir: string;
  /** Reads the files whole, answering in the order asked. */
  readMany(paths: string[]): AsyncIterable<BatchAnswer>;
  /** Hears bytes as they arrive. */
  progress(bytes: number): void;
  /** Hears that a file's size at the peer is not what was listed. */
  resized(from: number, to: number): void;
  /** Hears how each file ended: done, already there, or its coded error. */
  settle(file: FileRecord, outcome: TransferResult | HdpError): void;
  /** Writes small files whole (off the event loop), one outcome per file. */
  write(files: WholeFile[]): Promise<Array<HdpError | null>>;
  /** Resolves when the writer takes more. */
  room(): Promise<void>;
  /** Hears that the batch's bytes are all in: its writes may still be under way. */
  received(): void;
  signal: AbortSignal;
  madeDirs: Set<string>;
}

/** Files of a batch handed to the writer together. */
const WRITE_GROUP = 16;

/**
 * Downloads a batch of small files (each whole, none resumable) with one batched read. Each file
 * is settled through `ctx.settle` as it ends; throws the error of the whole batch (the peer does
 * not know batched reads, the connection broke, it was stopped), after which the files not
 * settled are not written.
 */
export async function transferMany(
  files: Array<{ file: FileRecord; segments: string[] }>,
  ctx: BatchContext,
): Promise<void> {
  const wanted: Array<{ file: FileRecord; finalPath: string }> = [];
  for (const { file, segments } of files) {
    try {
      const finalPath = place(file, segments, ctx.downloadDir, ctx.madeDirs);
      if (finalPath === null) ctx.settle(file, "already-there");
      else wanted.push({ file, finalPath });
    } catch (error) {
      ctx.settle(file, toHdpError(error));
    }
  }
  if (wanted.length === 0) return;
  const writes: Promise<void>[] = [];
  let group: Array<{ file: FileRecord; whole: WholeFile }> = [];
  const flush = () => {
    if (group.length === 0) return;
    const sent = group;
    group = [];
    writes.push(
      ctx.write(sent.map((s) => s.whole)).then((outcomes) =>
        sent.forEach(({ file }, i) => ctx.settle(file, outcomes[i] ?? "done"))
      ),
    );
  };
  let index = 0;
  try {
    for await (const answer of ctx.readMany(wanted.map((w) => w.file.remotePath))) {
      const { file, finalPath } = wanted[index++]!;
      if (ctx.signal.aborted) break;
      if ("error" in answer) {
        ctx.settle(file, answer.error);
        continue;
      }
      file.expected = { size: answer.header.size, mtime: answer.header.mtime };
      if (file.size !== answer.header.size) ctx.resized(file.size, answer.header.size);
      file.size = answer.header.size;
      file.mtime = answer.header.mtime;
      ctx.progress(answer.data.length);
      group.push({
        file,
        whole: { part: partName(finalPath), finalPath, data: answer.data, mtime: file.mtime },
      });
      if (group.length >= WRITE_GROUP) {
        flush();
        await ctx.room(); // a disk slower than the network holds the batch back
      }
    }
  } finally {
    // what arrived is written, also when the rest of the batch broke off
    flush();
    ctx.received();
    await Promise.all(writes);
  }
  if (ctx.signal.aborted) throw hdpError("UNAVAILABLE", "The download was stopped");
}
