/**
 * Starting transfers for the queue: a file alone (`Read`, resumable when large) or a batch of small
 * files (one `ReadMany`, written on the writer's thread). It keeps what transfers share (created
 * directories, local paths being written, files to be read alone, the writer) and tells the queue
 * how each file ended; the queue decides what that means.
 */
import { HdpError, SMALL_FILE_BYTES, toHdpError } from "../wire/mod.ts";
import { transferMany } from "./batch_transfer.ts";
import { transferFile, type TransferResult } from "./file_transfer.ts";
import { beginTransfer, type LiveItem, targetOf, type Transfer } from "./live_item.ts";
import { localSegments } from "./local_path.ts";
import type { PeerAccess } from "./peer_access.ts";
import { SmallFileWriter } from "./small_file_writer.ts";
import type { FileRecord } from "./wishlist.ts";

/** What the fetcher tells the queue. */
export interface FetchHooks {
  /** A file is complete (or was there already). */
  done(live: LiveItem, file: FileRecord): void;
  /** A file of `transfer` ended with `error`: alone (`file`) or in a batch (`batch-file`). */
  failed(
    live: LiveItem,
    transfer: Transfer,
    file: FileRecord,
    error: HdpError,
    work: "file" | "batch-file",
  ): void;
  /** A whole batch failed; `files` are those it had not settled, in order. */
  batchFailed(live: LiveItem, transfer: Transfer, files: FileRecord[], error: HdpError): void;
  /** Saves a file's record (`now`: before the transfer may go on). */
  save(file: FileRecord, now: boolean): Promise<void>;
  /** The item changed (`force`: a change of state, not only progress). */
  changed(live: LiveItem, force?: boolean): void;
  /** Room may have freed: start what can start. */
  pump(): void;
}

/** Options of {@link Fetcher}. */
export interface FetcherOptions {
  /** The download dir, a real path. */
  downloadDir: string;
  access: PeerAccess;
  hooks: FetchHooks;
}

/** Starts and follows transfers. */
export class Fetcher {
  readonly #options: FetcherOptions;
  readonly #madeDirs = new Set<string>();
  /** Local paths being written: the same file asked for twice (alone and in its folder) waits. */
  readonly #writing = new Set<string>();
  /** Files to be read alone: too big for a batch by now, or the peer does not batch. */
  readonly #alone = new WeakSet<FileRecord>();
  readonly #writer = new SmallFileWriter();
  /** Transfers under way: they end before the wishlist may close. */
  readonly #tasks = new Set<Promise<unknown>>();

  constructor(options: FetcherOptions) {
    this.#options = options;
  }

  /** Starts the writer's thread ahead of work (it takes a moment). */
  warm(): void {
    this.#writer.warm();
  }

  /** Whether `file` of `live` must wait: the same local file is being written. */
  isBusy(live: LiveItem, file: FileRecord): boolean {
    return this.#writing.has(targetOf(live.record, file));
  }

  /** Forgets which directories exist (after some were removed). */
  forgetDirs(): void {
    this.#madeDirs.clear();
  }

  /** Whether `file` must be read alone. */
  isAlone(file: FileRecord): boolean {
    return this.#alone.has(file);
  }

  /** From now on `file` is read alone. */
  readAlone(file: FileRecord): void {
    this.#alone.add(file);
  }

  /** Whether a file may go in a batch (not read alone, not being written twice). */
  batchable(live: LiveItem, file: FileRecord): boolean {
    return file.size <= SMALL_FILE_BYTES && !this.isAlone(file) && !this.isBusy(live, file);
  }

  /** Keeps `task` among those {@link close} waits for. */
  track(task: Promise<unknown>): void {
    this.#tasks.add(task);
    const done = () => this.#tasks.delete(task);
    task.then(done, done);
  }

  /** Waits for every transfer (abort them first), then stops the writer. */
  async close(): Promise<void> {
    await Promise.all(this.#tasks);
    await this.#writer.close();
  }

  /** Fetches one file with `Read`. */
  startFile(live: LiveItem, file: FileRecord, kind: "large" | "small"): void {
    const { hooks } = this.#options;
    const r = live.record;
    const starts = live.record.state === "queued";
    const transfer = beginTransfer(live, kind);
    if (starts) hooks.changed(live, true); // "downloading" at once, not after the next progress
    if (r.parts?.[file.seq] !== undefined) {
      transfer.offset = r.parts[file.seq]!; // counted by the transfer from now on
      delete r.parts[file.seq];
    }
    const target = targetOf(r, file);
    this.#writing.add(target);
    // async: a name refused here fails the file like any other error, never the queue
    const promise =
      (async () =>
        await transferFile(file, localSegments(r.peer.name, file.remotePath), {
          downloadDir: this.#options.downloadDir,
          signal: transfer.abort.signal,
          madeDirs: this.#madeDirs,
          read: async (start) => {
            transfer.offset = start;
            transfer.received = 0;
            const read = await this.#options.access.read(r.peer.keyHex, file.remotePath, start, {
              onQueued: (position) => {
                live.remotePosition = position;
                hooks.changed(live, true); // a place in a queue is news, not progress
              },
              signal: transfer.abort.signal,
            });
            delete live.remotePosition;
            return read;
          },
          save: (changed) => hooks.save(changed, changed.size > SMALL_FILE_BYTES),
          resized: (from, to) => void (r.bytes += to - from),
          progress: (bytes) => {
            transfer.received += bytes;
            live.progress.add(bytes);
            hooks.changed(live);
          },
        }))();
    transfer.ended = promise.then(
      () => hooks.done(live, file),
      (error) => hooks.failed(live, transfer, file, toHdpError(error), "file"),
    ).finally(() => this.#ended(live, transfer, [target]));
    this.track(transfer.ended);
  }

  /** Fetches small files with one `ReadMany`. */
  startBatch(live: LiveItem, files: FileRecord[]): void {
    const { hooks } = this.#options;
    const r = live.record;
    const starts = live.record.state === "queued";
    const transfer = beginTransfer(live, "batch");
    if (starts) hooks.changed(live, true); // "downloading" at once, not after the next progress
    const targets = new Map(files.map((file) => [file, targetOf(r, file)]));
    for (const target of targets.values()) this.#writing.add(target);
    const settled = new Set<FileRecord>();
    const settle = (file: FileRecord, outcome: TransferResult | HdpError) => {
      settled.add(file);
      this.#writing.delete(targets.get(file)!);
      if (outcome instanceof HdpError) hooks.failed(live, transfer, file, outcome, "batch-file");
      else hooks.done(live, file);
    };
    const named: Array<{ file: FileRecord; segments: string[] }> = [];
    for (const file of files) {
      try {
        named.push({ file, segments: localSegments(r.peer.name, file.remotePath) });
      } catch (error) {
        settle(file, toHdpError(error)); // a name refused here fails that file, not the batch
      }
    }
    transfer.ended = transferMany(named, {
      downloadDir: this.#options.downloadDir,
      signal: transfer.abort.signal,
      madeDirs: this.#madeDirs,
      readMany: (paths) => this.#options.access.readMany(r.peer.keyHex, paths),
      write: (files) => this.#writer.write(files),
      room: () => this.#writer.room(),
      received: () => {
        // its bytes are in: the next batch may start while these files are written
        transfer.kind = "writing";
        hooks.pump();
      },
      resized: (from, to) => void (r.bytes += to - from),
      progress: (bytes) => {
        live.progress.add(bytes);
        hooks.changed(live);
      },
      settle,
    }).catch((error) => {
      const rest = files.filter((file) => !settled.has(file));
      hooks.batchFailed(live, transfer, rest, toHdpError(error));
    }).finally(() => this.#ended(live, transfer, targets.values()));
    this.track(transfer.ended);
  }

  #ended(live: LiveItem, transfer: Transfer, targets: Iterable<string>): void {
    for (const target of targets) this.#writing.delete(target);
    live.active.delete(transfer);
    this.#options.hooks.changed(live, true);
    this.#options.hooks.pump();
  }
}
