/**
 * The download queue: items from the wishlist, their files fetched a few at a time (limits per
 * peer and overall), in order with move-to-front, pause, resume, cancel and retry. Files of a peer
 * that is away wait for it and continue by themselves when it is back, also after restarts.
 *
 * The decisions live apart, each tested alone: the order ({@link Queue}), whether a transfer may
 * start (admission.ts), what an error means (failure_policy.ts), which file is next
 * (file_cursor.ts), listing a folder (listing.ts), progress (progress.ts). This class wires them.
 */
import { logger } from "../log.ts";
import { type HdpError, hdpError, messageOf, toHdpError } from "../wire/mod.ts";
import {
  hasRoom,
  type KindCounts,
  kindOf,
  type Limits,
  mayList,
  noTransfers,
} from "./admission.ts";
import { type FailedWork, failureAction, retryDelay } from "./failure_policy.ts";
import { Fetcher } from "./fetcher.ts";
import type { HistoryLog } from "./history.ts";
import { listInto } from "./listing.ts";
import { inFlight, type LiveItem, liveItem, type Transfer } from "./live_item.ts";
import { localSegments } from "./local_path.ts";
import { removeEmptyDirs, removeParts } from "./part_files.ts";
import type { PeerAccess } from "./peer_access.ts";
import { itemView } from "./progress.ts";
import { Queue } from "./queue.ts";
import { RecordSaves } from "./record_saves.ts";
import { supersededItems } from "./superseded.ts";
import type { DownloadAction, DownloadItem, DownloadState, PeerRef } from "./types.ts";
import { type FileRecord, newItem, Wishlist } from "./wishlist.ts";

const log = logger("downloads");

/** The states {@link Downloads.clear} forgets: those that ended. */
const CLEARABLE: readonly DownloadState[] = ["done", "failed"];

/** Options of {@link Downloads.open}. */
export interface DownloadsOptions {
  /** The download dir, a real path. */
  downloadDir: string;
  /** Where finished downloads are recorded. */
  history: HistoryLog;
  /** Files fetched at once from one peer. Default 8. */
  perPeer?: number;
  /** Files fetched at once in all. Default 16. */
  global?: number;
  /** Hears every change of an item (throttled for progress). */
  onChange?: (item: DownloadItem) => void;
  /** Hears that an item was cancelled and removed. */
  onRemoved?: (id: string) => void;
}

/** The node's downloads. */
export class Downloads {
  readonly #wishlist: Wishlist;
  readonly #access: PeerAccess;
  readonly #options: DownloadsOptions;
  #limits: Limits;
  readonly #queue = new Queue<LiveItem>((live) => live.record);
  readonly #saves: RecordSaves;
  readonly #fetcher: Fetcher;
  #tick: ReturnType<typeof setInterval> | undefined;
  /** Wake-ups of the queue for work put off ("later"). */
  readonly #wakeUps = new Set<ReturnType<typeof setTimeout>>();
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #closed = false;

  private constructor(wishlist: Wishlist, access: PeerAccess, options: DownloadsOptions) {
    this.#wishlist = wishlist;
    this.#access = access;
    this.#options = options;
    this.#limits = { global: options.global ?? 16, perPeer: options.perPeer ?? 8 };
    this.#saves = new RecordSaves(wishlist, (id) => this.#queue.get(id)?.record);
    this.#fetcher = new Fetcher({
      downloadDir: options.downloadDir,
      access,
      hooks: {
        done: (live, file) => this.#fileDone(live, file),
        failed: (live, transfer, file, error, work) =>
          this.#failed(live, transfer, file, error, work),
        batchFailed: (live, transfer, files, error) =>
          this.#batchFailed(live, transfer, files, error),
        save: (file, now) => this.#saves.save(file, now),
        changed: (live, force) => this.#emit(live, force),
        pump: () => void this.pump(),
      },
    });
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
      downloads.#queue.insert(liveItem(record, downloads.#wishlist));
    }
    await downloads.#forgetSuperseded(); // rows kept twice before a download again replaced one
    downloads.#tick = setInterval(() => downloads.#measure(), 1000);
    // the writer's thread takes a moment to start: ahead of the work, when there is work
    if (downloads.#queue.ordered().some((l) => l.record.state !== "done")) {
      downloads.#fetcher.warm();
    }
    void downloads.pump();
    return downloads;
  }

  /** Queues a file or folder of a peer. */
  async add(peer: PeerRef, path: string): Promise<DownloadItem> {
    const segments = localSegments(peer.name, path);
    const duplicate = this.#queue.ordered().find((l) =>
      l.record.peer.keyHex === peer.keyHex && l.record.path === path && l.record.state !== "done"
    );
    if (duplicate) return this.#view(duplicate);
    const record = newItem(peer, segments);
    const live = liveItem(record, this.#wishlist);
    this.#queue.append(live);
    try {
      await this.#wishlist.putItem(record);
    } catch (error) {
      this.#queue.delete(record.id);
      throw error;
    }
    this.#fetcher.warm();
    this.#emit(live, true);
    void this.pump();
    return this.#view(live);
  }

  /** Every item, in queue order. */
  list(): DownloadItem[] {
    return this.#queue.ordered().map((live) => this.#view(live));
  }

  /** Whether items wait for this peer (queued or downloading): its redials should come soon. */
  waitsFor(keyHex: string): boolean {
    return this.#queue.ordered().some((l) =>
      l.record.peer.keyHex === keyHex &&
      (l.record.state === "queued" || l.record.state === "downloading")
    );
  }

  /** A peer connected or went away: what waits for it starts, and its items show it. */
  peerChanged(keyHex: string): void {
    for (const live of this.#queue.ordered()) {
      if (live.record.peer.keyHex === keyHex) this.#emit(live, true);
    }
    void this.pump();
  }

  /** Pauses, resumes, cancels, retries or moves an item to the front. */
  async action(id: string, action: DownloadAction): Promise<DownloadItem> {
    const live = this.#find(id);
    const r = live.record;
    switch (action) {
      case "pause":
        if (r.state === "done") throw hdpError("CONFLICT", "The download is complete");
        r.state = "paused";
        delete r.problem; // the user's own pause needs no reason
        for (const t of live.active) t.abort.abort();
        break;
      case "resume":
        if (r.state !== "paused") {
          throw hdpError("CONFLICT", `The download is ${r.state}, not paused`);
        }
        r.state = "queued";
        delete r.problem;
        break;
      case "retry":
        if (r.state !== "failed" && r.state !== "paused") {
          throw hdpError("CONFLICT", `The download is ${r.state}: nothing to retry`);
        }
        await this.#requeueFailed(live);
        break;
      case "front":
        this.#queue.bringToFront(id);
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

  /**
   * Forgets the finished items in `states` (done, failed; default both), as Cancel does: the files
   * of done ones stay, the parts of failed ones go. Answers the ids removed.
   */
  async clear(states: readonly DownloadState[] = CLEARABLE): Promise<string[]> {
    for (const state of states) {
      if (!CLEARABLE.includes(state)) {
        throw hdpError("BAD_REQUEST", `Cannot clear ${state} downloads: only done and failed`);
      }
    }
    const cleared = this.#queue.ordered().filter((l) => states.includes(l.record.state));
    for (const live of cleared) await this.#cancel(live);
    return cleared.map((l) => l.record.id);
  }

  /**
   * Pauses every unfinished download from the peer `keyHex` with `why` (the peer was forgotten:
   * it is not dialled again, so they would wait unseen). Resuming one queues it again. Answers how
   * many were paused.
   */
  pausePeer(keyHex: string, why: HdpError): number {
    let paused = 0;
    for (const live of this.#queue.ordered()) {
      const r = live.record;
      if (r.peer.keyHex !== keyHex) continue;
      if (r.state !== "queued" && r.state !== "downloading") continue;
      this.#pause(live, why, true);
      this.#emit(live, true);
      paused++;
    }
    return paused;
  }

  /** Starts what can start: call when a peer connects or a slot frees. */
  /** New limits of files at once (per peer, in all): more start at once, fewer hold back the next. */
  setLimits(limits: { perPeer: number; global: number }): void {
    this.#limits = { ...limits };
    void this.pump();
  }

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
    for (const timer of this.#wakeUps) clearTimeout(timer);
    for (const live of this.#queue.ordered()) for (const t of live.active) t.abort.abort();
    // what still runs reads and writes the wishlist: it ends before the store may close
    await this.#pumping;
    await this.#fetcher.close();
    await this.#saves.flush();
    for (const live of this.#queue.ordered()) await this.#wishlist.putItem(live.record);
  }

  async #pumpOnce(): Promise<void> {
    for (const live of this.#queue.ordered()) {
      if (this.#closed) return;
      const r = live.record;
      if (r.state !== "queued" && r.state !== "downloading") continue;
      if (!this.#access.isConnected(r.peer.keyHex)) {
        if (r.state === "downloading" && live.active.size === 0 && !live.listing) {
          // its peer went away: it waits, nothing is under way (shown as waiting, bytes kept)
          r.state = "queued";
          await this.#wishlist.putItem(r);
          this.#emit(live, true);
        }
        if (r.expanded && live.active.size === 0 && r.filesDone + r.filesFailed >= r.files) {
          await live.files.peek(); // loads what is left: nothing, when its last file came in
          await this.#checkFinished(live); // as the peer went (or before a crash)
        }
        continue;
      }
      if (
        !r.expanded && !live.listing && Date.now() >= live.listing404.notBefore &&
        mayList(this.#count(r.peer.keyHex), this.#limits)
      ) {
        this.#list(live);
      }
      for (;;) {
        // a file that failed at once may have paused the item: then nothing more starts
        if (r.state !== "queued" && r.state !== "downloading") break;
        const next = await live.files.peek();
        if (!next || this.#closed) break;
        if (this.#fetcher.isBusy(live, next)) break; // its twin finishes first, then it is there
        const kind = kindOf(next.size, this.#fetcher.isAlone(next));
        const running = { all: this.#count(), peer: this.#count(r.peer.keyHex) };
        if (!hasRoom(kind, running, this.#limits)) break;
        if (kind === "batch") {
          this.#fetcher.startBatch(
            live,
            await live.files.takeBatch((f) => !this.#fetcher.batchable(live, f)),
          );
        } else {
          this.#fetcher.startFile(live, (await live.files.next())!, kind);
        }
      }
      await this.#checkFinished(live);
    }
  }

  /** Transfers running (and listings, which count as large), for one peer or all. */
  #count(peer?: string): KindCounts {
    const count = noTransfers();
    for (const live of this.#queue.ordered()) {
      if (peer !== undefined && live.record.peer.keyHex !== peer) continue;
      for (const transfer of live.active) count[transfer.kind]++;
      if (live.listing) count.large++;
    }
    return count;
  }

  /** Lists the item at the peer into the wishlist (see listing.ts). */
  #list(live: LiveItem): void {
    const r = live.record;
    live.listing = true;
    const stop = new AbortController();
    const pages = this.#access.list(r.peer.keyHex, r.path, r.listCursor);
    const listing = listInto(r, pages, {
      wishlist: this.#wishlist,
      signal: stop.signal,
      onPage: () => {
        this.#emit(live);
        void this.pump();
      },
    }).catch(async (error) => {
      const coded = toHdpError(error, "UNAVAILABLE");
      const action = failureAction(coded.code, "listing", live.listing404.tries);
      if (action === "later") {
        // just made at the peer, its index has not caught up: asked again in a moment
        const delay = retryDelay(live.listing404.tries++);
        live.listing404.notBefore = Date.now() + delay;
        this.#wakeIn(delay);
      } else if (action === "fail") {
        r.state = "failed";
        r.problem = coded.toJSON();
        await this.#wishlist.putItem(r);
      }
      log.info("cannot list a download yet", {
        path: r.path,
        reason: coded.message,
        ...(action === "later" ? { tries: live.listing404.tries } : {}),
      });
    }).catch((error) => log.error("cannot list a download", { error: messageOf(error) }))
      .finally(() => {
        live.listing = false;
        this.#emit(live, true);
        void this.pump();
      });
    this.#fetcher.track(listing);
    live.stopListing = async () => {
      stop.abort();
      await listing;
    };
  }

  #fileDone(live: LiveItem, file: FileRecord): void {
    file.state = "done";
    live.record.filesDone++;
    live.record.bytesDone += file.size;
    void this.#saves.save(file, false);
    this.#emit(live);
  }

  /** Applies the failure policy to one file. */
  #failed(
    live: LiveItem,
    transfer: Transfer,
    file: FileRecord,
    error: HdpError,
    work: FailedWork,
  ): void {
    const r = live.record;
    const kept = transfer.kind === "large" ? transfer.offset + transfer.received : 0;
    if (kept > 0) (r.parts ??= {})[file.seq] = kept; // its part stays: shown until it goes on
    if (transfer.abort.signal.aborted || this.#closed) {
      if (r.state !== "done") live.files.again(file); // paused or shutting down: fetch it later
      return;
    }
    const tries = live.notFound.get(file.seq) ?? 0;
    const action = failureAction(error.code, work, tries);
    if (action === "fail" && r.parts) delete r.parts[file.seq];
    switch (action) {
      case "later": {
        // a file the peer does not have yet (its index catches up in seconds): asked again soon
        const delay = retryDelay(tries);
        live.notFound.set(file.seq, tries + 1);
        live.files.later(file, Date.now() + delay);
        this.#wakeIn(delay);
        log.info("the peer does not have a file yet; asking again", {
          path: file.remotePath,
          inMs: delay,
        });
        return;
      }
      case "pause":
        this.#pause(live, error);
        live.files.again(file);
        return;
      case "again":
        live.files.again(file); // the connection broke, the peer is busy: again when it is back
        return;
      case "alone":
        this.#fetcher.readAlone(file); // it grew since it was listed
        live.files.again(file);
        return;
      case "fail":
        file.state = "failed";
        file.problem = error.toJSON();
        r.filesFailed++;
        r.failedWith ??= error.code;
        void this.#saves.save(file, false);
        log.warn("a file of a download failed", { path: file.remotePath, reason: error.message });
    }
  }

  /** Runs the queue again in `ms`: work put off is due then. */
  #wakeIn(ms: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#wakeUps.delete(timer);
      void this.pump();
    }, ms);
    this.#wakeUps.add(timer);
  }

  #batchFailed(live: LiveItem, transfer: Transfer, files: FileRecord[], error: HdpError): void {
    if (!transfer.abort.signal.aborted && failureAction(error.code, "batch") === "alone") {
      // a peer that does not (properly) batch: its files are read one by one
      for (const file of files) this.#fetcher.readAlone(file);
      live.files.again(...files);
      log.info("a peer answered a batched read badly", {
        peer: live.record.peer.name,
        error: error.message,
      });
      return;
    }
    for (const file of files.reverse()) this.#failed(live, transfer, file, error, "batch");
  }

  /**
   * Disk full, permissions: nothing more can be saved until a person acts (a warning); or the
   * owner's own doing, such as forgetting the peer (`asked`: logged at info).
   */
  #pause(live: LiveItem, error: HdpError, asked = false): void {
    const r = live.record;
    r.state = "paused";
    r.problem = error.toJSON();
    for (const t of live.active) t.abort.abort();
    log[asked ? "info" : "warn"]("paused a download", { path: r.path, reason: error.message });
    this.#wishlist.putItem(r).catch((error) =>
      log.error("cannot save a download", { error: messageOf(error) })
    );
  }

  async #checkFinished(live: LiveItem): Promise<void> {
    const r = live.record;
    // queued too: its last files may have ended as its peer went away (it then waits, queued)
    const open = r.state === "downloading" || r.state === "queued";
    if (!r.expanded || !open || live.active.size > 0) return;
    if (!live.files.done || r.filesDone + r.filesFailed < r.files) return;
    r.finishedAt = Date.now();
    if (r.filesFailed > 0) {
      r.state = "failed";
      // the code of the first file that failed (a file refused in the listing: its name)
      const code = r.failedWith ?? "BAD_REQUEST";
      r.problem = { code, message: `${r.filesFailed} of ${r.files} files failed` };
    } else {
      r.state = "done";
      delete r.problem;
      this.#options.history.add({
        direction: "download",
        peer: r.peer,
        path: r.path,
        bytes: r.bytes,
        ...(r.isDir ? { files: r.files } : {}),
        at: r.finishedAt,
      });
    }
    await this.#saves.flush();
    await this.#wishlist.putItem(r);
    log.info(`download ${r.state}`, { peer: r.peer.name, path: r.path, files: r.files });
    this.#emit(live, true);
    if (r.state === "done") await this.#forgetSuperseded();
  }

  /** Forgets done items a newer download of the same path replaces (their files stay). */
  async #forgetSuperseded(): Promise<void> {
    const stale = supersededItems(this.#queue.ordered().map((l) => l.record));
    for (const id of stale) {
      const live = this.#queue.get(id);
      if (live) await this.#cancel(live);
    }
  }

  async #requeueFailed(live: LiveItem): Promise<void> {
    const r = live.record;
    await this.#wishlist.requeueFailed(r.id);
    r.filesFailed = 0;
    r.state = "queued";
    delete r.problem;
    delete r.finishedAt;
    delete r.failedWith;
    live.notFound.clear(); // a person's retry asks again as often as the first time
    live.listing404 = { tries: 0, notBefore: 0 };
    live.files.rewind();
  }

  async #cancel(live: LiveItem): Promise<void> {
    const r = live.record;
    this.#queue.delete(r.id);
    for (const t of live.active) t.abort.abort();
    // Withdrawn everywhere first (reads queued at the peer too): nothing arrives after this.
    await Promise.allSettled([...live.active].map((t) => t.ended));
    await live.stopListing?.();
    // Delete what was partly fetched; finished files of a folder stay.
    if (r.state !== "done") {
      await removeParts(this.#options.downloadDir, this.#wishlist, r);
      await removeEmptyDirs(this.#options.downloadDir, r.localPath);
      this.#fetcher.forgetDirs(); // folders it removed must be made again by the next download
    }
    await this.#wishlist.deleteItem(r.id);
    this.#options.onRemoved?.(r.id);
  }

  #measure(): void {
    for (const live of this.#queue.ordered()) {
      if (live.progress.tick(live.active.size > 0)) this.#emit(live, true);
    }
  }

  #emit(live: LiveItem, force = false): void {
    if (this.#queue.get(live.record.id) !== live) return; // cancelled: its news ended with it
    if (!live.progress.mayEmit(Date.now(), force)) return;
    this.#options.onChange?.(this.#view(live));
  }

  #view(live: LiveItem): DownloadItem {
    const waits = (l: LiveItem) => l.record.state === "queued";
    const away = !this.#access.isConnected(live.record.peer.keyHex);
    // a place in the queue among those that can start: one waiting for its peer has none
    const queued = waits(live) && !away
      ? this.#queue.position(
        live,
        (l) => waits(l) && this.#access.isConnected(l.record.peer.keyHex),
      )
      : 0;
    return itemView(live.record, {
      inFlight: inFlight(live),
      speed: live.progress.speed,
      ...(queued ? { queuePosition: queued } : {}),
      ...(away ? { peerAway: true } : {}),
      ...(live.remotePosition !== undefined ? { remotePosition: live.remotePosition } : {}),
    });
  }

  #find(id: string): LiveItem {
    const live = this.#queue.get(id);
    if (!live) throw hdpError("NOT_FOUND", `No download with id "${id}"`);
    return live;
  }
}
