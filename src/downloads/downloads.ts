/**
 * The download queue: items from the wishlist, their files fetched a few at a time (limits per
 * peer and overall), in order with move-to-front, pause, resume, cancel and retry. Files of a peer
 * that is away wait for it and continue by themselves when it is back, also after restarts.
 */
import { logger } from "../log.ts";
import { HdpError, hdpError, messageOf, toHdpError } from "../wire/errors.ts";
import type { LsEntry } from "../wire/entries.ts";
import { partName } from "./local_path.ts";
import { localSegments } from "./local_path.ts";
import {
  type BatchAnswer,
  type RemoteRead,
  transferFile,
  transferMany,
  type TransferResult,
} from "./file_transfer.ts";
import type { DownloadItem, HistoryEntry, PeerRef } from "./types.ts";
import { type FileRecord, type ItemRecord, Wishlist } from "./wishlist.ts";
import { SmallFileWriter } from "./small_file_writer.ts";
import { join } from "node:path";

const log = logger("downloads");

/** How the queue reaches peers. */
export interface PeerAccess {
  isConnected(keyHex: string): boolean;
  /** A recursive listing of `path` at the peer, page by page, from `cursor` when given. */
  list(keyHex: string, path: string, cursor?: string): AsyncIterable<ListPage>;
  /** Starts reading `path` from `start`; `onQueued` hears the place in the peer's upload queue. */
  read(
    keyHex: string,
    path: string,
    start: number,
    onQueued: (position: number) => void,
  ): Promise<RemoteRead>;
  /** Reads small files whole with one request, answering in the order asked. */
  readMany(keyHex: string, paths: string[]): AsyncIterable<BatchAnswer>;
}

/** A page of a listing: its entries, and where the listing continues after it. */
export interface ListPage {
  entries: LsEntry[];
  cursor?: string;
}

/** Options of {@link Downloads.open}. */
export interface DownloadsOptions {
  /** The download dir, a real path. */
  downloadDir: string;
  /** Files fetched at once from one peer. Default 8. */
  perPeer?: number;
  /** Files fetched at once in all. Default 16. */
  global?: number;
  /** Hears every change of an item (throttled for progress). */
  onChange?: (item: DownloadItem) => void;
  /** Hears that an item was cancelled and removed. */
  onRemoved?: (id: string) => void;
}

/** Files bigger than this have their version recorded before the first byte, so they resume. */
const RESUMABLE = 1024 * 1024;
/** Files of at most this size are small: they do not count against the limits… */
const SMALL_FILE = 1024 * 1024;
/** …but against limits this many times larger. */
const SMALL_FACTOR = 8;
/** Small files are fetched in batches (one `ReadMany` each) of at most this many files… */
const BATCH_FILES = 64;
/** …and bytes… */
const BATCH_BYTES = 4 * 1024 * 1024;
/** …and characters of paths (the request must stay well under the peer's 64 KiB limit). */
const BATCH_PATH_CHARS = 16_000;

/**
 * A file being fetched (`large` or `small`, with `Read`), or a batch of small files (with one
 * `ReadMany`; a batch counts against the limits as two files).
 */
interface Transfer {
  /** `writing`: a batch whose bytes are in, its files still being written (not limited). */
  kind: "large" | "small" | "batch" | "writing";
  abort: AbortController;
  /** Bytes received of an unfinished file (not counted for batches: their files are small). */
  received: number;
  offset: number;
}

interface Live {
  record: ItemRecord;
  /** Files to fetch next, loaded from the wishlist a batch at a time. */
  pending: FileRecord[];
  /** Files to fetch before `pending` (interrupted ones). */
  again: FileRecord[];
  /** The `seq` of the last file loaded from the wishlist. */
  cursor?: number;
  exhausted: boolean;
  active: Set<Transfer>;
  expanding: boolean;
  remotePosition?: number;
  speed: number;
  lastReceived: number;
  received: number;
  lastEmit: number;
}

/** The local path a file is written to (before any numbered name is chosen). */
function targetOf(item: ItemRecord, file: FileRecord): string {
  return file.localRel ?? `${item.peer.name}/${file.remotePath}`;
}

/** Shapes a live item for the API. */
function view(live: Live, queuePosition?: number): DownloadItem {
  const r = live.record;
  let inFlight = 0;
  for (const t of live.active) inFlight += t.offset + t.received;
  const bytesDone = r.bytes > 0 ? Math.min(r.bytes, r.bytesDone + inFlight) : r.bytesDone;
  const item: DownloadItem = {
    id: r.id,
    peer: r.peer,
    path: r.path,
    isDir: r.isDir,
    state: r.state,
    files: r.files,
    filesDone: r.filesDone,
    bytes: r.bytes,
    bytesDone,
    speed: Math.round(live.speed),
    createdAt: r.createdAt,
    localPath: r.localPath,
  };
  if (r.reason) item.reason = r.reason;
  if (r.finishedAt) item.finishedAt = r.finishedAt;
  if (live.speed > 1 && r.bytes > 0) item.eta = Math.round((r.bytes - item.bytesDone) / live.speed);
  if (queuePosition !== undefined) item.queuePosition = queuePosition;
  if (live.remotePosition !== undefined) item.remotePosition = live.remotePosition;
  return item;
}

/** The node's downloads. */
export class Downloads {
  readonly #wishlist: Wishlist;
  readonly #access: PeerAccess;
  readonly #options: DownloadsOptions;
  readonly #items = new Map<string, Live>();
  readonly #saveQueue = new Map<string, FileRecord>();
  readonly #madeDirs = new Set<string>();
  /** Local paths being written: the same file asked for twice (alone and in its folder) waits. */
  readonly #writing = new Set<string>();
  readonly #writer = new SmallFileWriter();
  /** Files to be read alone: too big for a batch by now, or the peer does not batch. */
  readonly #alone = new WeakSet<FileRecord>();
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  /** Listings and transfers under way: they end before the wishlist may close. */
  readonly #tasks = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(wishlist: Wishlist, access: PeerAccess, options: DownloadsOptions) {
    this.#wishlist = wishlist;
    this.#access = access;
    this.#options = options;
  }

  /** Loads the wishlist and starts whatever can run. */
  static async open(
    kv: Deno.Kv,
    access: PeerAccess,
    options: DownloadsOptions,
  ): Promise<Downloads> {
    const downloads = new Downloads(await Wishlist.open(kv), access, options);
    for (const record of await downloads.#wishlist.items()) {
      if (record.state === "downloading") record.state = "queued"; // it was interrupted
      downloads.#items.set(record.id, downloads.#live(record));
    }
    downloads.#tick = setInterval(() => downloads.#measure(), 1000);
    // the writer's thread takes a moment to start: ahead of the work, when there is work
    if ([...downloads.#items.values()].some((l) => l.record.state !== "done")) {
      downloads.#writer.warm();
    }
    void downloads.pump();
    return downloads;
  }

  /** Queues a file or folder of a peer. */
  async add(peer: PeerRef, path: string): Promise<DownloadItem> {
    const segments = localSegments(peer.name, path);
    const duplicate = [...this.#items.values()].find((l) =>
      l.record.peer.keyHex === peer.keyHex && l.record.path === path && l.record.state !== "done"
    );
    if (duplicate) return this.#view(duplicate);
    const orders = [...this.#items.values()].map((l) => l.record.order);
    const record: ItemRecord = {
      id: crypto.randomUUID(),
      peer,
      path: segments.slice(1).join("/"),
      isDir: false,
      state: "queued",
      createdAt: Date.now(),
      order: orders.length ? Math.max(...orders) + 1 : 0,
      expanded: false,
      files: 0,
      filesDone: 0,
      filesFailed: 0,
      bytes: 0,
      bytesDone: 0,
      localPath: segments.join("/"),
    };
    await this.#wishlist.putItem(record);
    this.#writer.warm();
    const live = this.#live(record);
    this.#items.set(record.id, live);
    this.#emit(live, true);
    void this.pump();
    return this.#view(live);
  }

  /** Every item, in queue order. */
  list(): DownloadItem[] {
    return this.#ordered().map((live) => this.#view(live));
  }

  /** One item. */
  get(id: string): DownloadItem {
    return this.#view(this.#find(id));
  }

  /** Pauses, resumes, cancels, retries or moves an item to the front. */
  async action(
    id: string,
    action: "pause" | "resume" | "cancel" | "retry" | "front",
  ): Promise<DownloadItem> {
    const live = this.#find(id);
    const r = live.record;
    switch (action) {
      case "pause":
        if (r.state === "done") throw hdpError("CONFLICT", "The download is complete");
        r.state = "paused";
        r.reason = "paused";
        for (const t of live.active) t.abort.abort();
        break;
      case "resume":
        if (r.state !== "paused") {
          throw hdpError("CONFLICT", `The download is ${r.state}, not paused`);
        }
        r.state = "queued";
        delete r.reason;
        break;
      case "retry":
        if (r.state !== "failed" && r.state !== "paused") {
          throw hdpError("CONFLICT", `The download is ${r.state}: nothing to retry`);
        }
        await this.#requeueFailed(live);
        break;
      case "front":
        r.order = Math.min(...[...this.#items.values()].map((l) => l.record.order)) - 1;
        break;
      case "cancel":
        await this.#cancel(live);
        return this.#view(live);
    }
    await this.#wishlist.putItem(r);
    this.#emit(live, true);
    void this.pump();
    return this.#view(live);
  }

  /** Starts what can start: call when a peer connects or a slot frees. */
  pump(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#pumping) {
      this.#pumpAgain = true;
      return this.#pumping;
    }
    const run = async () => {
      try {
        do {
          this.#pumpAgain = false;
          await this.#pumpOnce();
        } while (this.#pumpAgain && !this.#closed);
      } catch (error) {
        log.error("the download queue stumbled", { error: messageOf(error) });
      } finally {
        this.#pumping = undefined;
      }
    };
    this.#pumping = run();
    return this.#pumping;
  }

  /** Stops every transfer (their progress stays in the part files) and saves what is pending. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#tick !== undefined) clearInterval(this.#tick);
    for (const live of this.#items.values()) for (const t of live.active) t.abort.abort();
    // what still runs reads and writes the wishlist: it ends before the store may close
    await this.#pumping;
    await Promise.all(this.#tasks);
    await this.#writer.close();
    await this.#flushSaves();
    for (const live of this.#items.values()) await this.#wishlist.putItem(live.record);
    await this.#wishlist.flushHistory();
  }

  /** Adds a finished upload to the history. */
  recordUpload(peer: PeerRef, path: string, bytes: number, files?: number): void {
    const entry: HistoryEntry = { direction: "upload", peer, path, bytes, at: Date.now() };
    if (files !== undefined && files > 1) entry.files = files;
    this.#wishlist.addHistory(entry);
  }

  /** The history of transfers, newest first. */
  async history(): Promise<HistoryEntry[]> {
    await this.#wishlist.flushHistory();
    return await this.#wishlist.history();
  }

  async #pumpOnce(): Promise<void> {
    const limit = this.#options.global ?? 16;
    const perPeer = this.#options.perPeer ?? 8;
    for (const live of this.#ordered()) {
      if (this.#closed) return;
      const r = live.record;
      if (r.state !== "queued" && r.state !== "downloading") continue;
      if (!this.#access.isConnected(r.peer.keyHex)) continue;
      if (!r.expanded && !live.expanding && this.#count(r.peer.keyHex).large < perPeer) {
        this.#track(
          this.#expand(live).catch((error) =>
            log.error("cannot list a download", { error: messageOf(error) })
          ),
        );
      }
      for (;;) {
        const next = await this.#peekFile(live);
        if (!next || this.#closed) break;
        if (this.#writing.has(targetOf(r, next))) break; // its twin finishes first, then it is there
        // Small files cost little bandwidth but a round trip each: they go in batches, several
        // at once so that the round trips overlap. The limits count large files.
        const kind = next.size > SMALL_FILE ? "large" : this.#alone.has(next) ? "small" : "batch";
        const all = this.#count();
        const mine = this.#count(r.peer.keyHex);
        const room = kind === "large"
          ? all.large < limit && mine.large < perPeer
          : kind === "small"
          ? all.small < limit * SMALL_FACTOR && mine.small < perPeer * SMALL_FACTOR
          : all.batch < Math.max(1, limit / 2) && mine.batch < Math.max(1, perPeer / 2);
        if (!room) break;
        if (kind === "batch") this.#startBatch(live, await this.#takeBatch(live));
        else this.#start(live, (await this.#nextFile(live))!, kind);
      }
      await this.#checkFinished(live);
    }
  }

  /** Transfers running (and listings, which count as large), for one peer or all. */
  #count(peer?: string): Record<Transfer["kind"], number> {
    const count = { large: 0, small: 0, batch: 0, writing: 0 };
    for (const live of this.#items.values()) {
      if (peer !== undefined && live.record.peer.keyHex !== peer) continue;
      for (const transfer of live.active) count[transfer.kind]++;
      if (live.expanding) count.large++;
    }
    return count;
  }

  /**
   * Lists the item at the peer (recursively) into the wishlist, a page at a time: its files can
   * be fetched while later pages still arrive. A listing cut off (the peer left, a restart)
   * continues after the last page stored.
   */
  async #expand(live: Live): Promise<void> {
    const r = live.record;
    live.expanding = true;
    try {
      const pages = this.#access.list(r.peer.keyHex, r.path, r.listCursor);
      for await (const page of pages) {
        const files: FileRecord[] = [];
        const next = {
          listed: r.listed ?? 0,
          files: r.files,
          bytes: r.bytes,
          filesFailed: r.filesFailed,
          isDir: r.isDir,
        };
        for (const entry of page.entries) {
          if (entry.isDir) continue;
          if (entry.name === r.path) next.isDir = false;
          else if (entry.name.startsWith(r.path + "/")) next.isDir = true;
          else continue; // not below the path: a/bc is not in a/b
          const file: FileRecord = {
            itemId: r.id,
            seq: next.listed++,
            remotePath: entry.name,
            size: entry.size,
            mtime: entry.mtime,
            state: "queued",
          };
          try {
            localSegments(r.peer.name, entry.name);
          } catch (error) {
            file.state = "failed";
            file.reason = messageOf(error);
            next.filesFailed++;
            log.warn("refused a file name from a peer", { peer: r.peer.name, reason: file.reason });
          }
          files.push(file);
          next.files++;
          next.bytes += entry.size;
        }
        const saved: ItemRecord = { ...r, ...next };
        if (page.cursor === undefined) {
          // the last page: the item is complete with it, in the same commit
          delete saved.listCursor;
          saved.expanded = true;
        } else {
          saved.listCursor = page.cursor;
        }
        if (saved.state === "queued" && files.length > 0) saved.state = "downloading";
        // The item's place in the listing changes only with the files it covers: a crash
        // between two pages neither loses nor repeats any.
        await this.#wishlist.putListed(saved, files);
        Object.assign(r, next, { expanded: saved.expanded });
        if (files.length > 0 && r.state === "queued") r.state = "downloading";
        if (saved.listCursor === undefined) delete r.listCursor;
        else r.listCursor = saved.listCursor;
        this.#emit(live);
        void this.pump();
      }
      r.expanded = true;
      delete r.listCursor;
      if (r.state === "queued") r.state = "downloading";
      await this.#wishlist.putItem(r);
    } catch (error) {
      const coded = toHdpError(error, "UNAVAILABLE");
      if (coded.code !== "UNAVAILABLE" && coded.code !== "TIMEOUT") {
        r.state = "failed";
        r.reason = coded.message;
        await this.#wishlist.putItem(r);
      }
      log.info("cannot list a download yet", { path: r.path, reason: coded.message });
    } finally {
      live.expanding = false;
      this.#emit(live, true);
      void this.pump();
    }
  }

  async #peekFile(live: Live): Promise<FileRecord | undefined> {
    if (live.again.length > 0) return live.again[0];
    await this.#fill(live);
    return live.pending[0];
  }

  async #nextFile(live: Live): Promise<FileRecord | undefined> {
    if (live.again.length > 0) return live.again.shift();
    await this.#fill(live);
    return live.pending.shift();
  }

  async #fill(live: Live): Promise<void> {
    while (live.pending.length === 0 && !live.exhausted) {
      // read before the query: files stored by then are all in the answer
      const complete = live.record.expanded;
      const batch = await this.#wishlist.files(live.record.id, {
        ...(live.cursor !== undefined ? { after: live.cursor } : {}),
        limit: 500,
      });
      if (batch.length > 0) live.cursor = batch.at(-1)!.seq;
      live.pending.push(...batch.filter((f) => f.state === "queued"));
      if (batch.length < 500) {
        if (complete) live.exhausted = true;
        else break; // more come as the listing goes on
      }
    }
  }

  /** The next small files of an item, as many as a batch takes (at least one). */
  async #takeBatch(live: Live): Promise<FileRecord[]> {
    const files: FileRecord[] = [];
    let bytes = 0;
    let chars = 0;
    while (files.length < BATCH_FILES && bytes < BATCH_BYTES && chars < BATCH_PATH_CHARS) {
      const next = await this.#peekFile(live);
      if (
        !next || next.size > SMALL_FILE || this.#alone.has(next) ||
        this.#writing.has(targetOf(live.record, next))
      ) break;
      files.push((await this.#nextFile(live))!);
      bytes += next.size;
      chars += next.remotePath.length;
    }
    return files;
  }

  #startBatch(live: Live, files: FileRecord[]): void {
    const r = live.record;
    const transfer: Transfer = {
      kind: "batch",
      abort: new AbortController(),
      received: 0,
      offset: 0,
    };
    const targets = new Map(files.map((file) => [file, targetOf(r, file)]));
    for (const target of targets.values()) this.#writing.add(target);
    live.active.add(transfer);
    if (r.state === "queued") r.state = "downloading";
    const settled = new Set<FileRecord>();
    const settle = (file: FileRecord, outcome: TransferResult | HdpError) => {
      settled.add(file);
      this.#writing.delete(targets.get(file)!);
      if (outcome instanceof HdpError) {
        if (outcome.code === "TOO_LARGE") {
          // it grew since it was listed: read it alone
          this.#alone.add(file);
          live.again.unshift(file);
        } else {
          this.#failed(live, transfer, file, outcome);
        }
        return;
      }
      this.#fileDone(live, file);
      this.#emit(live);
    };
    const named: Array<{ file: FileRecord; segments: string[] }> = [];
    for (const file of files) {
      try {
        named.push({ file, segments: localSegments(r.peer.name, file.remotePath) });
      } catch (error) {
        settle(file, toHdpError(error)); // a name refused here fails that file, not the batch
      }
    }
    this.#track(
      transferMany(named, {
        downloadDir: this.#options.downloadDir,
        signal: transfer.abort.signal,
        madeDirs: this.#madeDirs,
        readMany: (paths) => this.#access.readMany(r.peer.keyHex, paths),
        write: (files) => this.#writer.write(files),
        room: () => this.#writer.room(),
        received: () => {
          // its bytes are in: the next batch may start while these files are written
          transfer.kind = "writing";
          void this.pump();
        },
        resized: (from, to) => void (r.bytes += to - from),
        progress: (bytes) => {
          live.received += bytes;
          this.#emit(live);
        },
        settle,
      }).catch((error) => {
        const coded = toHdpError(error);
        const rest = files.filter((file) => !settled.has(file));
        if (coded.code === "UNSUPPORTED" || coded.code === "PROTOCOL") {
          // a peer that does not (properly) batch: its files are read one by one
          for (const file of rest) this.#alone.add(file);
          live.again.unshift(...rest);
          log.info("a peer answered a batched read badly", {
            peer: r.peer.name,
            error: coded.message,
          });
          return;
        }
        for (const file of rest.reverse()) this.#failed(live, transfer, file, coded);
      }).finally(() => {
        for (const target of targets.values()) this.#writing.delete(target);
        live.active.delete(transfer);
        this.#emit(live, true);
        void this.pump();
      }),
    );
  }

  #track(task: Promise<unknown>): void {
    this.#tasks.add(task);
    const done = () => this.#tasks.delete(task);
    task.then(done, done);
  }

  #fileDone(live: Live, file: FileRecord): void {
    file.state = "done";
    live.record.filesDone++;
    live.record.bytesDone += file.size;
    this.#saveFile(file, false);
  }

  #start(live: Live, file: FileRecord, kind: "large" | "small"): void {
    const r = live.record;
    const transfer: Transfer = {
      kind,
      abort: new AbortController(),
      received: 0,
      offset: 0,
    };
    const target = targetOf(r, file);
    this.#writing.add(target);
    live.active.add(transfer);
    if (r.state === "queued") r.state = "downloading";
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
            const read = await this.#access.read(
              r.peer.keyHex,
              file.remotePath,
              start,
              (position) => {
                live.remotePosition = position;
                this.#emit(live);
              },
            );
            delete live.remotePosition;
            return read;
          },
          save: (changed) => this.#saveFile(changed, changed.size > RESUMABLE),
          resized: (from, to) => void (r.bytes += to - from),
          progress: (bytes) => {
            transfer.received += bytes;
            live.received += bytes;
            this.#emit(live);
          },
        }))();
    this.#track(
      promise.then(
        () => this.#fileDone(live, file),
        (error) => this.#failed(live, transfer, file, error),
      ).finally(() => {
        this.#writing.delete(target);
        live.active.delete(transfer);
        this.#emit(live, true);
        void this.pump();
      }),
    );
  }

  #failed(live: Live, transfer: Transfer, file: FileRecord, error: unknown): void {
    const r = live.record;
    const coded = toHdpError(error);
    if (transfer.abort.signal.aborted || this.#closed) {
      if (r.state !== "done") live.again.unshift(file); // paused or shutting down: fetch it later
      return;
    }
    if (coded.code === "IO" || coded.code === "FORBIDDEN") {
      // Disk full, permissions: nothing more can be saved until a person acts.
      r.state = "paused";
      r.reason = coded.message;
      live.again.unshift(file);
      for (const t of live.active) t.abort.abort();
      log.warn("paused a download", { path: r.path, reason: coded.message });
      this.#wishlist.putItem(r).catch((error) =>
        log.error("cannot save a download", { error: messageOf(error) })
      );
      return;
    }
    if (coded.code === "UNAVAILABLE" || coded.code === "TIMEOUT" || coded.code === "BUSY") {
      live.again.unshift(file); // the connection broke: again when the peer is back
      return;
    }
    file.state = "failed";
    file.reason = coded.message;
    r.filesFailed++;
    this.#saveFile(file, false);
    log.warn("a file of a download failed", { path: file.remotePath, reason: coded.message });
  }

  async #checkFinished(live: Live): Promise<void> {
    const r = live.record;
    if (!r.expanded || r.state !== "downloading" || live.active.size > 0 || live.again.length > 0) {
      return;
    }
    if (live.pending.length > 0 || !live.exhausted) return;
    if (r.filesDone + r.filesFailed < r.files) return;
    r.finishedAt = Date.now();
    if (r.filesFailed > 0) {
      r.state = "failed";
      r.reason = `${r.filesFailed} of ${r.files} files failed`;
    } else {
      r.state = "done";
      delete r.reason;
      this.#wishlist.addHistory({
        direction: "download",
        peer: r.peer,
        path: r.path,
        bytes: r.bytes,
        ...(r.isDir ? { files: r.files } : {}),
        at: r.finishedAt,
      });
    }
    await this.#flushSaves();
    await this.#wishlist.putItem(r);
    log.info(`download ${r.state}`, { peer: r.peer.name, path: r.path, files: r.files });
    this.#emit(live, true);
  }

  async #requeueFailed(live: Live): Promise<void> {
    const r = live.record;
    const retried: FileRecord[] = [];
    for await (const file of this.#wishlist.allFiles(r.id)) {
      if (file.state !== "failed") continue;
      file.state = "queued";
      delete file.reason;
      retried.push(file);
    }
    await this.#wishlist.putFiles(retried);
    r.filesFailed = 0;
    r.state = "queued";
    delete r.reason;
    delete r.finishedAt;
    live.pending = [];
    delete live.cursor;
    live.exhausted = false;
  }

  async #cancel(live: Live): Promise<void> {
    const r = live.record;
    for (const t of live.active) t.abort.abort();
    this.#items.delete(r.id);
    if (r.state !== "done") {
      // Delete what was partly fetched; finished files of a folder stay.
      for await (const file of this.#wishlist.allFiles(r.id)) {
        if (file.state === "done") continue;
        const rel = file.localRel ?? localSegments(r.peer.name, file.remotePath).join("/");
        await Deno.remove(partName(join(this.#options.downloadDir, ...rel.split("/")))).catch(
          () => {},
        );
      }
    }
    await this.#wishlist.deleteItem(r.id);
    this.#options.onRemoved?.(r.id);
  }

  /** Batches writes of file records: thousands of small files a second must not mean as many commits. */
  #saveFile(file: FileRecord, now: boolean): Promise<void> {
    this.#saveQueue.set(`${file.itemId}\u0000${file.remotePath}`, { ...file });
    if (now) return this.#flushSaves();
    this.#saveTimer ??= setTimeout(() => void this.#flushSaves(), 200);
    return Promise.resolve();
  }

  async #flushSaves(): Promise<void> {
    if (this.#saveTimer !== undefined) clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const files = [...this.#saveQueue.values()];
    this.#saveQueue.clear();
    await this.#wishlist.putFiles(files);
    const items = new Set(files.map((f) => f.itemId));
    for (const id of items) {
      const live = this.#items.get(id);
      if (live) await this.#wishlist.putItem(live.record);
    }
  }

  #measure(): void {
    for (const live of this.#items.values()) {
      const delta = live.received - live.lastReceived;
      live.lastReceived = live.received;
      live.speed = live.active.size === 0 ? 0 : live.speed * 0.5 + delta * 0.5;
      if (live.active.size > 0 || delta > 0) this.#emit(live, true);
    }
  }

  #emit(live: Live, force = false): void {
    if (this.#items.get(live.record.id) !== live) return; // cancelled: its news ended with it
    const now = Date.now();
    if (!force && now - live.lastEmit < 250) return;
    live.lastEmit = now;
    this.#options.onChange?.(this.#view(live));
  }

  #view(live: Live): DownloadItem {
    if (live.record.state !== "queued") return view(live);
    const queued = this.#ordered().filter((l) => l.record.state === "queued");
    return view(live, queued.indexOf(live) + 1);
  }

  #ordered(): Live[] {
    return [...this.#items.values()].sort((a, b) => a.record.order - b.record.order);
  }

  #find(id: string): Live {
    const live = this.#items.get(id);
    if (!live) throw hdpError("NOT_FOUND", `No download with id "${id}"`);
    return live;
  }

  #live(record: ItemRecord): Live {
    return {
      record,
      pending: [],
      again: [],
      exhausted: false,
      active: new Set(),
      expanding: false,
      speed: 0,
      lastReceived: 0,
      received: 0,
      lastEmit: 0,
    };
  }
}
