/**
 * The node's KV store, `state.kv`, opened defensively. A file SQLite calls damaged (when opened,
 * when first read and written, or later, while the node runs) is moved aside with its `-wal` and
 * `-shm` companions as `state.kv.damaged-<time>` and the node starts with a fresh store; a fresh
 * store (damaged, or deleted) gets the download items and known peers back from the state journal
 * (`state-backup.json`), which this store keeps up to date. What happened is logged and shown in
 * `info` ({@link StateStore.problem}).
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { type ItemRecord, JOURNAL_MAX_ITEMS, Wishlist } from "../downloads/mod.ts";
import { PeerStore } from "../transport/mod.ts";
import { HdpError, hdpError, messageOf, type Reason } from "../wire/mod.ts";
import type { EventBus } from "./events.ts";
import { changesJournal, JournalWriter } from "./journal_writer.ts";
import { isCorruption, observeKv } from "./observed_kv.ts";
import { decodeJournal, type Journal, JOURNAL_FILE, type ReadJournal } from "./state_journal.ts";

const log = logger("state");

/** The KV database file in the storage dir. */
export const KV_FILE = "state.kv";

/** Left in the storage dir when damage is found at run time: the next start moves the store aside. */
export const DAMAGE_MARK_FILE = "state-damaged.json";

/** The files SQLite keeps for one database: moved aside together, so the copy opens as it was. */
const COMPANIONS = ["", "-wal", "-shm"];

/** Present in every store this node made; absent in a fresh one. */
const STORE_KEY = ["meta", "store"];

/** What a fresh store got back from the journal. */
export interface Restored {
  items: ItemRecord[];
  peers: number;
  /** Items the journal had not kept (it keeps {@link JOURNAL_MAX_ITEMS}). */
  itemsLeftOut: number;
  /** Entries of the journal refused for their shape. */
  skipped: number;
  /** When the journal was written, ms since the epoch. */
  writtenAt: number;
}

/** Options of {@link StateStore.open}. */
export interface StateStoreOptions {
  /** Hears that {@link StateStore.problem} changed (damage found while running). */
  onProblem?: () => void;
  /** Delay between a change and the journal's write. Default 3 s. */
  journalDelayMs?: number;
}

/** The opened store, its journal and what went wrong on the way. */
export class StateStore {
  /** The store, watched for damage: use it like the `Deno.Kv` it is. */
  readonly kv: Deno.Kv;
  /** What the journal gave back, when the store was fresh and a journal was there. */
  restored: Restored | undefined;
  readonly #file: string;
  readonly #storageDir: string;
  readonly #options: StateStoreOptions;
  readonly #journal: JournalWriter;
  #problem: Reason | undefined;
  #damagedWhileRunning = false;
  #unfollow: (() => void) | undefined;

  private constructor(storageDir: string, raw: Deno.Kv, options: StateStoreOptions) {
    this.#storageDir = storageDir;
    this.#file = join(storageDir, KV_FILE);
    this.#options = options;
    this.kv = observeKv(raw, (error) => this.#damaged(error));
    // opened at the first write, after the downloads have moved records of an older layout
    let wishlist: Promise<Wishlist> | undefined;
    const peers = new PeerStore(this.kv);
    this.#journal = new JournalWriter(join(storageDir, JOURNAL_FILE), async () => {
      wishlist ??= Wishlist.open(this.kv);
      const { items, left } = await (await wishlist).exportItems();
      const known = (await peers.all()).sort((a, b) => b.lastSeen - a.lastSeen);
      return {
        writtenAt: Date.now(),
        items,
        itemsLeftOut: left,
        peers: known.slice(0, JOURNAL_MAX_ITEMS),
      } satisfies Journal;
    }, options.journalDelayMs === undefined ? {} : { delayMs: options.journalDelayMs });
  }

  /**
   * Opens `state.kv` in `storageDir`; a damaged one is moved aside and a fresh one made and filled
   * from the journal. Throws `IO` naming the file when it cannot be opened for another reason.
   */
  static async open(storageDir: string, options: StateStoreOptions = {}): Promise<StateStore> {
    const file = join(storageDir, KV_FILE);
    const { raw, damage } = await openDefensively(storageDir);
    const store = new StateStore(storageDir, raw, options);
    try {
      const fresh = (await store.kv.get(STORE_KEY)).value === null;
      if (fresh) store.restored = await store.#restore();
      await store.kv.set(STORE_KEY, { createdAt: Date.now() });
    } catch (error) {
      raw.close();
      throw hdpError("IO", `Cannot use the state store "${file}": ${messageOf(error)}`, error);
    }
    store.#tell(damage);
    return store;
  }

  /** What went wrong with the store, for `info`; undefined when all is well. */
  problem(): Reason | undefined {
    return this.#problem;
  }

  /** Writes the journal a few seconds after each change the node's events announce. */
  follow(events: EventBus): void {
    const seen = new Map<string, string>();
    this.#unfollow = events.on((event) => {
      if (changesJournal(event, seen)) this.#journal.changed();
    });
  }

  /** Writes the journal a last time and closes the store; run after everything that writes. */
  async close(): Promise<void> {
    this.#unfollow?.();
    await this.#journal.close();
    this.kv.close();
  }

  /** Fills a fresh store from the journal, when there is one that can be read. */
  async #restore(): Promise<Restored | undefined> {
    const journal = await readJournal(join(this.#storageDir, JOURNAL_FILE));
    if (!journal) return undefined;
    await (await Wishlist.open(this.kv)).importItems(journal.items);
    const peers = new PeerStore(this.kv);
    for (const peer of journal.peers) await peers.put(peer);
    const { items, itemsLeftOut, skipped, writtenAt } = journal;
    return { items, peers: journal.peers.length, itemsLeftOut, skipped, writtenAt };
  }

  /** Logs and keeps for `info` what happened while opening. */
  #tell(damage: Damage | undefined): void {
    const restored = this.restored ? `restored ${restoredText(this.restored)}` : undefined;
    const fields = {
      file: this.#file,
      ...(this.restored ? { restored: restoredText(this.restored) } : {}),
      ...(this.restored?.itemsLeftOut ? { notKept: this.restored.itemsLeftOut } : {}),
    };
    if (damage) {
      const what = restored ?? "no state backup to restore from: the downloads and peers are lost";
      this.#problem = {
        code: "IO",
        message: `${KV_FILE} was damaged (${damage.reason}): moved aside to ${damage.keptAs}; ` +
          `started with a fresh store; ${what}; the history is lost and the shares are indexed again`,
      };
      log.warn("the state store was damaged; moved it aside and started with a fresh one", {
        ...fields,
        keptAs: damage.keptAs,
        reason: damage.reason,
      });
    } else if (restored) {
      this.#problem = {
        code: "NOT_FOUND",
        message: `${KV_FILE} was missing: started with a fresh store; ${restored}; ` +
          "the history is lost and the shares are indexed again",
      };
      log.warn("the state store was missing; restored it from the state backup", fields);
    }
  }

  /** Damage found while running: the node carries on; the next start moves the store aside. */
  #damaged(error: unknown): void {
    if (this.#damagedWhileRunning) return;
    this.#damagedWhileRunning = true;
    const reason = messageOf(error);
    this.#problem = {
      code: "IO",
      message: `${KV_FILE} is damaged (${reason}): the node carries on; the next start moves it ` +
        `aside and brings the downloads and peers back from ${JOURNAL_FILE}`,
    };
    log.error("the state store is damaged; carrying on, and moving it aside at the next start", {
      file: this.#file,
      reason,
    });
    const mark = JSON.stringify({ at: new Date().toISOString(), reason }) + "\n";
    Deno.writeTextFile(join(this.#storageDir, DAMAGE_MARK_FILE), mark).catch((error) =>
      log.warn("cannot note the damage for the next start", { reason: messageOf(error) })
    );
    this.#options.onProblem?.();
  }
}

/** A damaged store that was moved aside. */
interface Damage {
  reason: string;
  keptAs: string;
}

/**
 * Opens the store and reads and writes it once; a damaged one (or one marked damaged while a node
 * ran) is moved aside and a fresh one opened in its place.
 */
async function openDefensively(storageDir: string): Promise<{ raw: Deno.Kv; damage?: Damage }> {
  const file = join(storageDir, KV_FILE);
  const markFile = join(storageDir, DAMAGE_MARK_FILE);
  const marked = await readMark(markFile);
  let damage: Damage | undefined;
  if (marked !== undefined && await exists(file)) {
    damage = { reason: marked, keptAs: await moveAside(file) };
  }
  await Deno.remove(markFile).catch(() => {});
  try {
    return { raw: await openChecked(file), ...(damage ? { damage } : {}) };
  } catch (error) {
    if (!isCorruption(error)) throw cannotOpen(file, error);
    damage = { reason: messageOf(error), keptAs: await moveAside(file) };
  }
  try {
    return { raw: await openChecked(file), damage };
  } catch (error) {
    throw cannotOpen(file, error);
  }
}

/** Opens `file` and proves it can be read and written where the node starts: its items, peers. */
async function openChecked(file: string): Promise<Deno.Kv> {
  const kv = await Deno.openKv(file);
  try {
    await kv.get(STORE_KEY);
    for await (const _ of kv.list({ prefix: ["dl", "item"] })) { /* every item reads */ }
    for await (const _ of kv.list({ prefix: ["peer"] })) { /* every peer reads */ }
    await kv.set(["meta", "opened"], Date.now());
    return kv;
  } catch (error) {
    kv.close();
    throw error;
  }
}

/** Moves the store and its companions aside; returns the new name of the store. */
async function moveAside(file: string): Promise<string> {
  // ISO 8601 with the colons made dashes: a name every file system takes
  const keptAs = `${file}.damaged-${new Date().toISOString().replaceAll(":", "-")}`;
  for (const suffix of COMPANIONS) {
    try {
      await Deno.rename(file + suffix, keptAs + suffix);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw hdpError(
        "IO",
        `${KV_FILE} is damaged and cannot be moved aside ("${file + suffix}": ` +
          `${messageOf(error)}): move it away by hand and start again`,
        error,
      );
    }
  }
  return keptAs;
}

function cannotOpen(file: string, error: unknown): HdpError {
  if (error instanceof HdpError) return error;
  return hdpError("IO", `Cannot open the state store "${file}": ${messageOf(error)}`, error);
}

/** The journal, or undefined when there is none or it cannot be read (then it is kept aside). */
async function readJournal(file: string): Promise<ReadJournal | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    log.warn("cannot read the state backup; nothing restored", {
      file,
      reason: messageOf(error),
    });
    return undefined;
  }
  try {
    return decodeJournal(text);
  } catch (error) {
    const newer = error instanceof HdpError && error.code === "UNSUPPORTED";
    const aside = `${file}.${newer ? "newer" : "corrupt"}-${Date.now()}`;
    log.warn("the state backup cannot be used; nothing restored", {
      file,
      keptAs: aside,
      reason: messageOf(error),
    });
    await Deno.rename(file, aside).catch(() => {});
    return undefined;
  }
}

/** The reason noted by a node that found damage while running, if one did. */
async function readMark(file: string): Promise<string | undefined> {
  try {
    const { reason } = JSON.parse(await Deno.readTextFile(file));
    return typeof reason === "string" ? reason : "damage found while running";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    return "damage found while running";
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** "3 downloads and 2 peers from state-backup.json (written …)". */
function restoredText(restored: Restored): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const when = new Date(restored.writtenAt).toISOString();
  const left = restored.itemsLeftOut
    ? ` (it keeps the newest ${JOURNAL_MAX_ITEMS}: ${
      plural(restored.itemsLeftOut, "older download")
    } not kept)`
    : "";
  const skipped = restored.skipped ? `; unreadable entries left out: ${restored.skipped}` : "";
  return `${plural(restored.items.length, "download")} and ` +
    `${plural(restored.peers, "peer")} from ${JOURNAL_FILE} (written ${when})${left}${skipped}`;
}
