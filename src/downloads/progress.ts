/**
 * What a download shows while it runs: bytes done (those of finished files and of the files under
 * way), the speed over the last seconds, the time left, and how often news of it is sent.
 */
import { RateWindow } from "./rate_window.ts";
import type { DownloadItem } from "./types.ts";
import type { ItemRecord } from "./wishlist.ts";

/** News of a running item at most this often (progress); changes of state are sent at once. */
const EMIT_EVERY_MS = 250;

/** The speed and news throttle of one item. */
export class Progress {
  /** Bytes per second over the last seconds (see rate_window.ts). */
  speed = 0;
  readonly #rate = new RateWindow();
  #lastReceived = 0;
  #lastEmit = 0;

  /** Counts bytes received. */
  add(bytes: number): void {
    this.#rate.add(bytes);
  }

  /**
   * Called about once a second (`now` in ms): updates the speed; true when the item should be shown
   * again (it is running, or it just stopped).
   */
  tick(running: boolean, now: number = Date.now()): boolean {
    const received = this.#rate.total;
    const delta = received - this.#lastReceived;
    this.#lastReceived = received;
    const rate = this.#rate.sample(now);
    // between two files of a folder nothing may run for a moment: bytes that came still count
    this.speed = running || delta > 0 ? rate : 0;
    return running || delta > 0;
  }

  /** Whether news may be sent now (always when `force`). */
  mayEmit(now: number, force: boolean): boolean {
    if (!force && now - this.#lastEmit < EMIT_EVERY_MS) return false;
    this.#lastEmit = now;
    return true;
  }
}

/** What the API shows of an item beyond its record. */
export interface LiveFacts {
  /** Bytes of the files under way (their parts and what arrived since). */
  inFlight: number;
  speed: number;
  /** Place in this node's queue, while queued. */
  queuePosition?: number;
  /** Place in the peer's upload queue, while it makes us wait. */
  remotePosition?: number;
  /** The peer is not connected. */
  peerAway?: boolean;
}

/** Shapes an item for the API. */
export function itemView(record: ItemRecord, facts: LiveFacts): DownloadItem {
  const r = record;
  let kept = 0;
  for (const bytes of Object.values(r.parts ?? {})) kept += bytes;
  const done = r.bytesDone + kept + facts.inFlight;
  const bytesDone = r.bytes > 0 ? Math.min(r.bytes, done) : r.bytesDone + kept;
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
    speed: Math.round(facts.speed),
    createdAt: r.createdAt,
    localPath: r.localPath,
  };
  if (r.problem) {
    item.problem = r.problem;
    item.reason = r.problem.message;
  }
  if (r.finishedAt) item.finishedAt = r.finishedAt;
  if (facts.speed > 1 && r.bytes > 0) item.eta = Math.round((r.bytes - bytesDone) / facts.speed);
  if (facts.queuePosition) item.queuePosition = facts.queuePosition;
  if (facts.remotePosition !== undefined) item.remotePosition = facts.remotePosition;
  // before the first page even whether it is a folder is not known
  if (!r.expanded && r.state !== "done") item.listing = true;
  if (facts.peerAway && (r.state === "queued" || r.state === "downloading")) {
    item.waitingForPeer = true;
  }
  return item;
}
