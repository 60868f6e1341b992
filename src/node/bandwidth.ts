/**
 * The node's bandwidth: the owner's limits and schedules (kept in settings.json), the two
 * throttles they set (what the node uploads, what it downloads; see rpc/throttle.ts, applied
 * where bytes leave and enter), and what is moving now for the API and the UI.
 */
import { Throttle } from "../rpc/mod.ts";
import {
  checkRate,
  hdpError,
  type Limits,
  limitsAt,
  type LimitsInForce,
  localMoment,
  parseSchedules,
  type Schedule,
} from "../wire/mod.ts";
import { type BandwidthSettings, readSettings, writeSettings } from "./settings.ts";

/** What the API shows of the bandwidth. */
export interface BandwidthStatus {
  /** The owner's limits outside every schedule, bytes a second (0: none). */
  limits: Limits;
  schedules: Schedule[];
  /** The limits in force now, and the schedule that sets them. */
  inForce: LimitsInForce;
  /** Bytes a second, over the last two seconds. */
  rates: Limits;
  /** Bytes moved since the node started. */
  totals: Limits;
  /** Caps per peer key. */
  peers: Record<string, Limits>;
  /** Bytes moved in each of the last 60 seconds, oldest first (`GET /api/bandwidth` only). */
  history?: { upload: number[]; download: number[] };
}

/** A change of limits: what is absent stays as it is. */
export interface LimitsChange {
  upload?: number;
  download?: number;
}

/** How often the schedules are looked at: a window starts within this long of its minute. */
const CHECK_MS = 10_000;

/** The bandwidth of one node. */
export class Bandwidth {
  /** What this node sends: every answer to a peer goes through it. */
  readonly upload = new Throttle();
  /** What this node takes in: every answer from a peer goes through it. */
  readonly download = new Throttle();
  readonly #storageDir: string;
  readonly #now: () => Date;
  #settings: BandwidthSettings;
  #inForce: LimitsInForce = { upload: 0, download: 0 };
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    storageDir: string,
    settings: BandwidthSettings | undefined,
    options: { now?: () => Date } = {},
  ) {
    this.#storageDir = storageDir;
    this.#now = options.now ?? (() => new Date());
    this.#settings = settings ?? { upload: 0, download: 0, schedules: [], peers: {} };
    for (const [key, caps] of Object.entries(this.#settings.peers)) {
      this.upload.setFlowRate(key, caps.upload);
      this.download.setFlowRate(key, caps.download);
    }
    this.#apply();
    this.#timer = setInterval(() => this.#apply(), CHECK_MS);
  }

  /** The limits, the schedules, and what moves now. */
  status(options: { history?: boolean } = {}): BandwidthStatus {
    const { upload, download, schedules, peers } = this.#settings;
    return {
      limits: { upload, download },
      schedules: schedules.map((s) => ({ ...s })),
      inForce: { ...this.#inForce },
      rates: { upload: this.upload.current(), download: this.download.current() },
      totals: { upload: this.upload.total, download: this.download.total },
      peers: structuredClone(peers),
      ...(options.history
        ? { history: { upload: this.upload.history(), download: this.download.history() } }
        : {}),
    };
  }

  /**
   * Changes the limits outside schedules and, when given, replaces the schedules (validated: see
   * `parseSchedules`), in one write; running transfers follow at their next chunk.
   */
  async set(change: LimitsChange & { schedules?: unknown }): Promise<BandwidthStatus> {
    const next = { ...this.#settings };
    if (change.upload !== undefined) next.upload = checkRate(change.upload, "upload");
    if (change.download !== undefined) next.download = checkRate(change.download, "download");
    if (change.schedules !== undefined) next.schedules = parseSchedules(change.schedules);
    await this.#save(next);
    return this.status();
  }

  /** Sets a peer's caps (0 removes one). */
  async setPeer(keyHex: string, change: LimitsChange): Promise<BandwidthStatus> {
    if (!/^[0-9a-f]{64}$/.test(keyHex)) throw hdpError("BAD_REQUEST", "Not a peer key");
    const before = this.#settings.peers[keyHex] ?? { upload: 0, download: 0 };
    const caps = {
      upload: change.upload === undefined ? before.upload : checkRate(change.upload, "upload"),
      download: change.download === undefined
        ? before.download
        : checkRate(change.download, "download"),
    };
    const peers = { ...this.#settings.peers };
    if (caps.upload === 0 && caps.download === 0) delete peers[keyHex];
    else peers[keyHex] = caps;
    await this.#save({ ...this.#settings, peers });
    this.upload.setFlowRate(keyHex, caps.upload);
    this.download.setFlowRate(keyHex, caps.download);
    return this.status();
  }

  /** Stops looking at the schedules. */
  close(): void {
    clearInterval(this.#timer);
  }

  async #save(next: BandwidthSettings): Promise<void> {
    const settings = await readSettings(this.#storageDir);
    await writeSettings(this.#storageDir, { ...settings, bandwidth: next });
    this.#settings = next;
    this.#apply();
  }

  #apply(): void {
    const { upload, download, schedules } = this.#settings;
    this.#inForce = limitsAt({ upload, download }, schedules, localMoment(this.#now()));
    if (this.upload.rate !== this.#inForce.upload) this.upload.setRate(this.#inForce.upload);
    if (this.download.rate !== this.#inForce.download) {
      this.download.setRate(this.#inForce.download);
    }
  }
}
