/**
 * The shares of a node: keeps the index current (a scan at start, watch events, a periodic
 * rescan), answers queries while a scan runs, and opens files for reading through the jail.
 */
import { logger } from "../log.ts";
import {
  hdpError,
  type LsPage,
  type LsQuery,
  messageOf,
  parsePath,
  printable,
  type Reason,
  reasonOf,
} from "../wire/mod.ts";
import { type DirMeta, IndexStore, type ShareStatus } from "./index_store.ts";
import { type Jailed, resolveInShare } from "./jail.ts";
import { lsPage, lsPages, type ShareRef } from "./query.ts";
import { type ScanStats, scanTree, updateDir } from "./scanner.ts";
import { type ShareWatch, watchShare } from "./watcher.ts";

const log = logger("shares");

/** A shared directory. */
export interface ShareConfig {
  name: string;
  /** A real path (symlinks resolved). */
  path: string;
}

/** A shared file opened for reading. */
export interface OpenFile {
  file: Deno.FsFile;
  size: number;
  mtime: number;
}

/** What the API and UI show of a share. */
export interface ShareInfo {
  name: string;
  path: string;
  scanning: boolean;
  files: number;
  bytes: number;
  /** When the last full scan finished (ms since the epoch), 0 before the first. */
  scannedAt: number;
  /** Files seen by the scan under way. */
  scannedFiles: number;
  /** Why the share cannot be scanned, when it cannot: `NOT_FOUND` gone, `FORBIDDEN`, `IO`… */
  problem?: Reason;
  /** The message of `problem` as plain text (kept for scripts that read it). */
  error?: string;
}

/**
 * Which shares a query or a read may see, by name; without one, all. A share it leaves out is
 * answered exactly as a share that does not exist.
 */
export type ShareFilter = (shareName: string) => boolean;

/** Options of {@link Shares.open}. */
export interface SharesOptions {
  /** Watch shares for changes. Default true. */
  watch?: boolean;
  /** Full rescan period; 0 turns it off. Default 10 minutes. */
  rescanIntervalMs?: number;
  /** Called whenever a share's state changes (scan progress, changes applied). */
  onChange?: (share: ShareInfo) => void;
}

interface ShareState {
  config: ShareConfig;
  scanning: boolean;
  scannedFiles: number;
  scannedAt: number;
  problem?: Reason;
  watch: ShareWatch | null;
}

/** The node's shares and their index. */
export class Shares {
  readonly #store: IndexStore;
  readonly #states: ShareState[];
  readonly #options: SharesOptions;
  /** One scan or update at a time: they share the batch writer. */
  #work: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(store: IndexStore, configs: ShareConfig[], options: SharesOptions) {
    this.#store = store;
    this.#options = options;
    this.#states = configs.map((config) => ({
      config,
      scanning: true,
      scannedFiles: 0,
      scannedAt: 0,
      watch: null,
    }));
  }

  /**
   * Opens the shares over a KV database: forgets the index of shares no longer configured, then
   * starts the first scan in the background (queries answer meanwhile, marked partial).
   */
  static async open(
    kv: Deno.Kv,
    configs: ShareConfig[],
    options: SharesOptions = {},
  ): Promise<Shares> {
    const shares = new Shares(new IndexStore(kv), configs, options);
    await shares.#forgetRemoved(kv);
    for (const state of shares.#states) {
      state.scannedAt = (await shares.#store.getStatus(state.config.name))?.scannedAt ?? 0;
    }
    shares.#startWatching();
    for (const state of shares.#states) {
      const name = state.config.name;
      if (!(await shares.#store.words.load(name))) {
        // searches scan the share meanwhile; the first scan waits, as it writes the same index
        shares.#enqueue(() =>
          shares.#store.words.rebuild(name, shares.#store.treeChunks(name, ""))
        );
      }
      shares.#enqueue(() => shares.#fullScan(state));
    }
    const interval = options.rescanIntervalMs ?? 10 * 60_000;
    if (interval > 0) {
      shares.#timer = setInterval(() => {
        for (const state of shares.#states) shares.#enqueue(() => shares.#fullScan(state));
      }, interval);
    }
    return shares;
  }

  /** The shares with their totals and scan state. */
  async list(): Promise<ShareInfo[]> {
    const out: ShareInfo[] = [];
    for (const state of this.#states) {
      out.push(this.#info(state, await this.#store.getDir(state.config.name, "")));
    }
    return out;
  }

  /** One page of an `Ls` query, over the shares `visible` lets through. */
  query(query: LsQuery, visible?: ShareFilter): Promise<LsPage> {
    return lsPage(this.#store, this.#refs(visible), query);
  }

  /** Every page of an `Ls` query, in order, over the shares `visible` lets through. */
  pages(query: LsQuery, visible?: ShareFilter): AsyncGenerator<LsPage> {
    return lsPages(this.#store, this.#refs(visible), query);
  }

  /**
   * Opens the way to a shared file for reading: parses the peer path, finds the share and runs
   * the jail. Throws `BAD_REQUEST`, `NOT_FOUND`, `NOT_SHARED` or `FORBIDDEN`.
   */
  resolveFile(path: string, visible?: ShareFilter): Jailed {
    const [shareName, ...rest] = parsePath(path);
    if (shareName === undefined || rest.length === 0) {
      throw hdpError("BAD_REQUEST", `Cannot read "${path}": not a file path`);
    }
    const state = this.#states.find((s) =>
      s.config.name === shareName && (visible === undefined || visible(shareName))
    );
    if (!state) throw hdpError("NOT_FOUND", `No share named "${shareName}"`);
    return resolveInShare(state.config.path, rest, "file");
  }

  /**
   * Opens a shared file for reading, through the jail. The caller closes it. The file is checked
   * again once open, so a swap after the jail's check cannot hand out something else.
   */
  openFile(path: string, visible?: ShareFilter): OpenFile {
    const { realPath } = this.resolveFile(path, visible);
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(realPath, { read: true }); // sync: see the jail
    } catch (error) {
      throw hdpError("IO", `Cannot open "${printable(path)}": ${messageOf(error)}`, error);
    }
    const info = file.statSync();
    if (!info.isFile) {
      file.close();
      throw hdpError("NOT_SHARED", `Cannot read "${printable(path)}": not a regular file`);
    }
    return { file, size: info.size, mtime: info.mtime?.getTime() ?? 0 };
  }

  /** Waits until every scan and update queued so far is done (tests, benchmarks). */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.#work;
      await seen;
    } while (seen !== this.#work);
  }

  /** Queues a full rescan of every share (or of one). */
  rescan(name?: string): Promise<void> {
    for (const state of this.#states) {
      if (name === undefined || state.config.name === name) {
        this.#enqueue(() => this.#fullScan(state));
      }
    }
    return this.idle();
  }

  /** Stops watching and scanning; a scan under way ends at its next step. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const state of this.#states) state.watch?.close();
    await this.#work.catch(() => {});
  }

  #refs(visible: ShareFilter | undefined): ShareRef[] {
    const states = visible ? this.#states.filter((s) => visible(s.config.name)) : this.#states;
    return states.map((s) => ({
      name: s.config.name,
      scanning: s.scanning,
      root: s.config.path,
    }));
  }

  #info(state: ShareState, root: DirMeta | null): ShareInfo {
    const info: ShareInfo = {
      name: state.config.name,
      path: state.config.path,
      scanning: state.scanning,
      files: root?.files ?? 0,
      bytes: root?.bytes ?? 0,
      scannedAt: state.scannedAt,
      scannedFiles: state.scannedFiles,
    };
    if (state.problem) {
      info.problem = state.problem;
      info.error = state.problem.message;
    }
    return info;
  }

  async #notify(state: ShareState): Promise<void> {
    if (!this.#options.onChange) return;
    this.#options.onChange(this.#info(state, await this.#store.getDir(state.config.name, "")));
  }

  #enqueue(job: () => Promise<void>): void {
    this.#work = this.#work.then(() => (this.#closed ? undefined : job())).catch((error) => {
      log.error("index update failed", { error: messageOf(error) });
    });
  }

  async #fullScan(state: ShareState): Promise<void> {
    const { name, path } = state.config;
    state.scanning = true;
    state.scannedFiles = 0;
    const started = performance.now();
    await this.#store.setStatus(name, { path, scanning: true, scannedAt: state.scannedAt });
    let stats: ScanStats;
    try {
      ({ stats } = await scanTree(this.#store, { name, root: path }, "", {
        onProgress: (s) => {
          state.scannedFiles = s.files;
          this.#notify(state).catch(() => {}); // progress news only: a closed store is no matter
        },
      }));
      delete state.problem;
    } catch (error) {
      state.problem = reasonOf(error, "IO");
      state.scanning = false;
      log.error("cannot scan a share", { share: name, error: state.problem.message });
      await this.#notify(state).catch(() => {}); // its problem is news too
      return;
    }
    state.scanning = false;
    state.scannedAt = Date.now();
    state.scannedFiles = stats.files;
    await this.#store.setStatus(name, { path, scanning: false, scannedAt: state.scannedAt });
    log.info("scanned a share", {
      share: name,
      files: stats.files,
      dirs: stats.dirs,
      changedDirs: stats.written,
      skipped: stats.skipped,
      ms: Math.round(performance.now() - started),
    });
    await this.#notify(state);
  }

  #startWatching(): void {
    if (this.#options.watch === false) return;
    for (const state of this.#states) {
      state.watch = watchShare(state.config.path, (dirs) => {
        this.#enqueue(async () => {
          const target = { name: state.config.name, root: state.config.path };
          for (const dir of dirs) await updateDir(this.#store, target, dir);
          log.debug("applied changes", { share: state.config.name, dirs: dirs.length });
          await this.#notify(state);
        });
      });
    }
  }

  async #forgetRemoved(kv: Deno.Kv): Promise<void> {
    const keep = new Map(this.#states.map((s) => [s.config.name, s.config.path]));
    for await (const { key, value } of kv.list<ShareStatus>({ prefix: ["share"] })) {
      const name = key[1];
      if (typeof name === "string" && keep.get(name) !== value.path) {
        log.info("forgetting the index of a share that was removed", { share: name });
        await this.#store.deleteShare(name);
      }
    }
  }
}
