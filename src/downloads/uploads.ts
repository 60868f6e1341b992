/**
 * What this node uploads: running and queued uploads for the API and UI, and the history. Small
 * reads (a folder of small files) only make history: listing each would flood the event stream,
 * and a run of them into one folder is one entry of the history ("1,000 files of Photos"), not a
 * thousand. Likewise the ranges of one file that a player reads as it plays and seeks are one
 * entry, with the bytes they sent, not one per seek.
 */
import type { UploadTracker } from "../rpc/mod.ts";
import { type HdpError, hdpError } from "../wire/mod.ts";
import type { HistoryLog } from "./history.ts";
import { UploadRefusals } from "./upload_refusals.ts";
import type { PeerRef, UploadInfo } from "./types.ts";

/** A run of small uploads to one peer ends after this long without another. */
const RUN_GAP_MS = 3000;

/** Ranges of a file read by one peer end their entry after this long without another. */
const RANGES_GAP_MS = 60_000;

/** Ranges of one file read by one peer (played, seeked through), gathered into one entry. */
interface RangeRun {
  peer: PeerRef;
  path: string;
  bytes: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Small uploads to one peer, gathered into one history entry. */
interface SmallRun {
  peer: PeerRef;
  /** The first file's path (the entry when it stays alone). */
  first: string;
  /** The folder all files of the run are in. */
  folder: string;
  files: number;
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

/** Options of {@link Uploads}. */
export interface UploadsOptions {
  onChange?: (upload: UploadInfo) => void;
  onDone?: (id: string) => void;
  /** Where finished uploads are recorded. */
  history: HistoryLog;
  /** Uploads of at most this many bytes are not listed, only recorded. */
  smallBytes: number;
}

/** The uploads of one node. */
export class Uploads {
  readonly #live = new Map<
    string,
    UploadInfo & { lastEmit: number; lastBytes: number; stop: AbortController }
  >();
  readonly #refusals = new UploadRefusals<HdpError>();
  readonly #options: UploadsOptions;
  readonly #tick: ReturnType<typeof setInterval>;
  readonly #runs = new Map<string, SmallRun>();
  readonly #ranges = new Map<string, RangeRun>();

  constructor(options: UploadsOptions) {
    this.#options = options;
    this.#tick = setInterval(() => this.#measure(), 1000);
  }

  /** Running and queued uploads, oldest first. */
  list(): UploadInfo[] {
    return [...this.#live.values()].map(({ lastEmit: _e, lastBytes: _b, stop: _s, ...info }) =>
      info
    );
  }

  /**
   * Cancels an upload: a queued one is answered `CANCELLED` and leaves the queue; a running one's
   * stream is reset, and the peer's next try of that file is answered `CANCELLED` (once). Throws
   * `NOT_FOUND` for an upload that is not (or no longer) running or queued.
   */
  cancel(id: string): void {
    const upload = this.#live.get(id);
    if (!upload) throw hdpError("NOT_FOUND", `No upload with id "${id}" (it may have ended)`);
    this.#stop(upload, cancelled());
  }

  /**
   * Stops every running or queued upload `which` picks, answering it (and the peer's next try of
   * the file, once) `why`: the owner took the share from that peer (its audience changed).
   */
  stopWhere(which: (upload: UploadInfo) => boolean, why: HdpError): number {
    const picked = [...this.#live.values()].filter((upload) => which(upload));
    for (const upload of picked) this.#stop(upload, why);
    return picked.length;
  }

  /** The error a `Read` of `path` by `peerKey` is answered with, when its upload was stopped. */
  refused(peerKey: string, path: string): HdpError | undefined {
    return this.#refusals.take(peerKey, path);
  }

  #stop(upload: UploadInfo & { stop: AbortController }, why: HdpError): void {
    if (upload.state === "uploading") this.#refusals.refuse(upload.peer.keyHex, upload.path, why);
    this.#live.delete(upload.id); // gone from the list at once; its read ends in a moment
    this.#options.onDone?.(upload.id);
    upload.stop.abort(why);
  }

  /**
   * A tracker for one read being served: `bytes` of the file at `path`, and `fileSize` when they
   * are only a range of it.
   */
  track(peer: PeerRef, path: string, bytes: number, fileSize?: number): UploadTracker {
    if (bytes <= this.#options.smallBytes) {
      return {
        queued: () => {},
        started: () => {},
        progress: () => {},
        done: (ok) => ok && this.#recordSmall(peer, path, bytes),
      };
    }
    const id = crypto.randomUUID();
    const upload = {
      id,
      peer,
      path,
      state: "uploading" as UploadInfo["state"],
      bytes,
      bytesDone: 0,
      speed: 0,
      startedAt: Date.now(),
      lastEmit: 0,
      lastBytes: 0,
      stop: new AbortController(),
    };
    const position = upload as UploadInfo;
    this.#live.set(id, upload);
    return {
      stop: upload.stop.signal,
      queued: (n) => {
        upload.state = "queued";
        position.position = n;
        this.#emit(upload, true);
      },
      started: () => {
        upload.state = "uploading";
        delete position.position;
        this.#emit(upload, true);
      },
      progress: (n) => {
        upload.bytesDone += n;
        this.#emit(upload, false);
      },
      done: (ok) => {
        if (this.#live.delete(id)) this.#options.onDone?.(id);
        if (fileSize !== undefined && bytes < fileSize) {
          // a range: what it sent counts, also when the player moved on before its end (not
          // when the owner cancelled it: that is no upload, as for whole files)
          if (upload.bytesDone > 0 && !upload.stop.signal.aborted) {
            this.#recordRange(peer, path, upload.bytesDone);
          }
        } else if (ok && !upload.stop.signal.aborted) this.#record(peer, path, bytes);
      },
    };
  }

  /** Stops, writing the runs of small uploads and of ranges under way to the history. */
  close(): void {
    clearInterval(this.#tick);
    for (const key of [...this.#runs.keys()]) this.#endRun(key);
    for (const key of [...this.#ranges.keys()]) this.#endRanges(key);
  }

  #recordRange(peer: PeerRef, path: string, bytes: number): void {
    const key = `${peer.keyHex}\u0000${path}`;
    const run = this.#ranges.get(key) ?? { peer, path, bytes: 0, timer: undefined };
    run.bytes += bytes;
    clearTimeout(run.timer);
    run.timer = setTimeout(() => this.#endRanges(key), RANGES_GAP_MS);
    Deno.unrefTimer(run.timer);
    this.#ranges.set(key, run);
  }

  #endRanges(key: string): void {
    const run = this.#ranges.get(key);
    if (!run) return;
    clearTimeout(run.timer);
    this.#ranges.delete(key);
    this.#record(run.peer, run.path, run.bytes);
  }

  #recordSmall(peer: PeerRef, path: string, bytes: number): void {
    const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    const run = this.#runs.get(peer.keyHex);
    if (run) {
      const common = commonFolder(run.folder, folder);
      if (common !== "") {
        run.folder = common;
        run.files++;
        run.bytes += bytes;
        clearTimeout(run.timer);
        run.timer = setTimeout(() => this.#endRun(peer.keyHex), RUN_GAP_MS);
        return;
      }
      this.#endRun(peer.keyHex); // another share: a run of its own
    }
    this.#runs.set(peer.keyHex, {
      peer,
      first: path,
      folder,
      files: 1,
      bytes,
      timer: setTimeout(() => this.#endRun(peer.keyHex), RUN_GAP_MS),
    });
  }

  #endRun(key: string): void {
    const run = this.#runs.get(key);
    if (!run) return;
    clearTimeout(run.timer);
    this.#runs.delete(key);
    if (run.files === 1) this.#record(run.peer, run.first, run.bytes);
    else this.#record(run.peer, run.folder, run.bytes, run.files);
  }

  #record(peer: PeerRef, path: string, bytes: number, files?: number): void {
    this.#options.history.add({
      direction: "upload",
      peer,
      path,
      bytes,
      ...(files !== undefined ? { files } : {}),
      at: Date.now(),
    });
  }

  #measure(): void {
    for (const upload of this.#live.values()) {
      upload.speed = Math.round(upload.speed * 0.5 + (upload.bytesDone - upload.lastBytes) * 0.5);
      upload.lastBytes = upload.bytesDone;
      this.#emit(upload, true);
    }
  }

  #emit(upload: UploadInfo & { lastEmit: number }, force: boolean): void {
    const now = Date.now();
    if (!force && now - upload.lastEmit < 250) return;
    upload.lastEmit = now;
    const { lastEmit: _e, lastBytes: _b, stop: _s, ...info } = upload as UploadInfo & {
      lastEmit: number;
      lastBytes: number;
      stop: AbortController;
    };
    this.#options.onChange?.(info);
  }
}

function cancelled(): HdpError {
  return hdpError("CANCELLED", "The peer's owner cancelled this upload");
}

/** The deepest folder holding both (`a/b/c`, `a/b/d` → `a/b`); "" when they share nothing. */
export function commonFolder(a: string, b: string): string {
  const x = a.split("/");
  const y = b.split("/");
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n] && x[n] !== "") n++;
  return x.slice(0, n).join("/");
}
