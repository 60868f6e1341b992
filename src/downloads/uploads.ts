/**
 * What this node uploads: running and queued uploads for the API and UI, and the history. Small
 * reads (a folder of small files) only make history: listing each would flood the event stream.
 */
import type { PeerRef, UploadInfo } from "./types.ts";

/** Follows one upload (the request handlers call these). */
export interface UploadTracker {
  queued(position: number): void;
  started(): void;
  progress(bytes: number): void;
  /** `ok` false: it broke off. */
  done(ok: boolean): void;
}

/** Options of {@link Uploads}. */
export interface UploadsOptions {
  onChange?: (upload: UploadInfo) => void;
  onDone?: (id: string) => void;
  /** Records a finished upload in the history. */
  record: (peer: PeerRef, path: string, bytes: number) => void;
  /** Uploads of at most this many bytes are not listed, only recorded. */
  smallBytes: number;
}

/** The uploads of one node. */
export class Uploads {
  readonly #live = new Map<string, UploadInfo & { lastEmit: number; lastBytes: number }>();
  readonly #options: UploadsOptions;
  readonly #tick: ReturnType<typeof setInterval>;

  constructor(options: UploadsOptions) {
    this.#options = options;
    this.#tick = setInterval(() => this.#measure(), 1000);
  }

  /** Running and queued uploads, oldest first. */
  list(): UploadInfo[] {
    return [...this.#live.values()].map(({ lastEmit: _e, lastBytes: _b, ...info }) => info);
  }

  /** A tracker for one read being served. */
  track(peer: PeerRef, path: string, bytes: number): UploadTracker {
    if (bytes <= this.#options.smallBytes) {
      return {
        queued: () => {},
        started: () => {},
        progress: () => {},
        done: (ok) => ok && this.#options.record(peer, path, bytes),
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
    };
    const position = upload as UploadInfo;
    this.#live.set(id, upload);
    return {
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
        this.#live.delete(id);
        this.#options.onDone?.(id);
        if (ok) this.#options.record(peer, path, bytes);
      },
    };
  }

  close(): void {
    clearInterval(this.#tick);
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
    const { lastEmit: _e, lastBytes: _b, ...info } = upload as UploadInfo & {
      lastEmit: number;
      lastBytes: number;
    };
    this.#options.onChange?.(info);
  }
}
