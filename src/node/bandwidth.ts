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
import {
  type BandwidthSettings,
  readSettings,
  withSettingsLock,
  writeSettings,
} from "./settings.ts";

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
  /**
   * Grows with every change of the limits, schedules or caps (and is above any before a
   * restart): of two statuses, the one with the lower revision has older settings. Answers
   * and events can arrive out of order; the UI keeps the newest.
   */
  revision: number;
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
  /** Started from the clock, so that it goes on growing across restarts. */
  #revision = Date.now();
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
      revision: this.#revision,
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
    const upload = change.upload === undefined ? undefined : checkRate(change.upload, "upload");
    const download = change.download === undefined
      ? undefined
      : checkRate(change.download, "download");
    const schedules = change.schedules === undefined ? undefined : parseSchedules(change.schedules);
    await this.#save((next) => {
      if (upload !== undefined) next.upload = upload;
      if (download !== undefined) next.download = download;
      if (schedules !== undefined) next.schedules = schedules;
    });
    return this.status();
  }

  /** Sets a peer's caps (0 removes one). */
  async setPeer(keyHex: string, change: LimitsChange): Promise<BandwidthStatus> {
    if (!/^[0-9a-f]{64}$/.test(keyHex)) throw hdpError("BAD_REQUEST", "Not a peer key");
    const upload = change.upload === undefined ? undefined : checkRate(change.upload, "upload");
    const download = change.download === undefined
      ? undefined
      : checkRate(change.download, "download");
    let caps: Limits = { upload: 0, download: 0 };
    await this.#save((next) => {
      const before = next.peers[keyHex] ?? { upload: 0, download: 0 };
      caps = { upload: upload ?? before.upload, download: download ?? before.download };
      next.peers = { ...next.peers };
      if (caps.upload === 0 && caps.download === 0) delete next.peers[keyHex];
      else next.peers[keyHex] = caps;
    });
    this.upload.setFlowRate(keyHex, caps.upload);
    this.download.setFlowRate(keyHex, caps.download);
    return this.status();
  }

  /** Stops looking at the schedules. */
  close(): void {
    clearInterval(this.#timer);
  }

  /**
   * Changes a copy of the settings as they are once the changes before it are saved, so that two
   * changes at once (two API calls) never lose one another, and saves it.
   */
  async #save(change: (next: BandwidthSettings) => void): Promise<void> {
    await withSettingsLock(this.#storageDir, async () => {
      const next = { ...this.#settings };
      change(next);
      const settings = await readSettings(this.#storageDir);
      await writeSettings(this.#storageDir, { ...settings, bandwidth: next });
      this.#settings = next;
      this.#revision = Math.max(this.#revision + 1, Date.now());
      this.#apply();
    });
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
