/**
 * Settings kept in the storage dir as `settings.json`: the remembered UDP port and the shares added
 * at run time. A file rather than KV because the supervisor reads it before it starts the engine,
 * to scope the engine's permissions to the shares.
 */
import { join } from "node:path";
import { logger } from "../log.ts";
import { hdpError, messageOf } from "../wire/light.ts";
import { type Audience, parseAudience } from "./audience.ts";
import type { TransferCounts } from "./node_info.ts";
import { parseTransferChange } from "./transfer_counts.ts";
import { checkRate, type Limits, parseSchedules, type Schedule } from "../wire/light.ts";

const log = logger("settings");

/** The settings file's name in the storage dir. */
export const SETTINGS_FILE = "settings.json";

/** A shared directory and the name peers see it by. */
export interface ShareSetting {
  /** The share's name: the first segment of its paths on the wire. */
  name: string;
  /** The directory, as a real path (symlinks resolved when it was added). */
  path: string;
  /** Who may see it; absent in settings written before audiences: `LEGACY_AUDIENCE`. */
  audience?: Audience;
}

/** The owner's bandwidth limits, in bytes a second (0: unlimited). */
export interface BandwidthSettings extends Limits {
  /** Windows of the week with their own limits; the first that holds wins. */
  schedules: Schedule[];
  /** Caps per peer (its key): what this node uploads to it and downloads from it. */
  peers: Record<string, Limits>;
}

/** What the settings file holds. */
export interface Settings {
  /** The UDP port picked on first start and reused after. */
  port?: number;
  /** Shared directories, in the order they were added. */
  shares: ShareSetting[];
  /** Absent: no limits. */
  bandwidth?: BandwidthSettings;
  /** Transfers at once as changed in Settings (absent: the defaults or the flags). */
  transfers?: Partial<TransferCounts>;
}

/** Reads the settings; a missing file gives empty settings, a corrupt one is kept aside. */
export async function readSettings(storageDir: string): Promise<Settings> {
  const path = join(storageDir, SETTINGS_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { shares: [] };
    throw error;
  }
  try {
    return parseSettings(JSON.parse(text));
  } catch (error) {
    const aside = `${path}.corrupt-${Date.now()}`;
    log.error("settings file is corrupt; starting from empty settings", {
      file: path,
      keptAs: aside,
      reason: messageOf(error),
    });
    await Deno.rename(path, aside);
    return { shares: [] };
  }
}

/** Writes the settings atomically (a temp file renamed over the old one). */
/** The settings change under way per storage dir: the next waits for it. */
const changing = new Map<string, Promise<unknown>>();

/**
 * Runs `task` alone among the settings changes of `storageDir`, so that a read, change and
 * write never loses a change made meanwhile (two API calls at once, a share added while a limit
 * is saved). Every read-modify-write of the settings goes through it.
 */
export function withSettingsLock<T>(storageDir: string, task: () => Promise<T>): Promise<T> {
  const before = changing.get(storageDir) ?? Promise.resolve();
  const locked = () => withFileLock(join(storageDir, LOCK_FILE), task);
  const run = before.then(locked, locked);
  const settled = run.then(() => {}, () => {});
  changing.set(storageDir, settled);
  void settled.then(() => {
    if (changing.get(storageDir) === settled) changing.delete(storageDir);
  });
  return run;
}

/** Beside the settings: locked while they change, for the engine's thread and the supervisor's. */
const LOCK_FILE = "settings.lock";

/** Runs `task` holding an exclusive lock (flock) on `path`, which is created when missing. */
async function withFileLock<T>(path: string, task: () => Promise<T>): Promise<T> {
  const file = await Deno.open(path, { create: true, write: true });
  try {
    await file.lock(true);
    return await task();
  } finally {
    file.close(); // closing gives the lock back
  }
}

export async function writeSettings(storageDir: string, settings: Settings): Promise<void> {
  const path = join(storageDir, SETTINGS_FILE);
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(settings, null, 2) + "\n");
  await Deno.rename(temp, path);
}

/** Validates parsed JSON into settings, throwing on anything unexpected. */
export function parseSettings(value: unknown): Settings {
  if (typeof value !== "object" || value === null) throw hdpError("BAD_REQUEST", "not an object");
  const { port, shares, bandwidth, transfers } = value as Record<string, unknown>;
  const settings: Settings = { shares: [] };
  if (port !== undefined) {
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw hdpError("BAD_REQUEST", "port is not a port number");
    }
    settings.port = port as number;
  }
  if (shares !== undefined) {
    const valid = (s: unknown) =>
      typeof s === "object" && s !== null && typeof (s as ShareSetting).name === "string" &&
      typeof (s as ShareSetting).path === "string";
    if (!Array.isArray(shares) || !shares.every(valid)) {
      throw hdpError("BAD_REQUEST", "shares is not a list of {name, path}");
    }
    settings.shares = shares.map(({ name, path, audience }: ShareSetting) => ({
      name,
      path,
      ...(audience === undefined ? {} : { audience: parseAudience(audience) }),
    }));
  }
  if (bandwidth !== undefined) settings.bandwidth = parseBandwidth(bandwidth);
  if (transfers !== undefined) settings.transfers = parseTransferChange(transfers);
  return settings;
}

/** Validates bandwidth settings; throws `BAD_REQUEST`. */
export function parseBandwidth(value: unknown): BandwidthSettings {
  if (typeof value !== "object" || value === null) {
    throw hdpError("BAD_REQUEST", "bandwidth is not an object");
  }
  const v = value as Record<string, unknown>;
  const peers: Record<string, Limits> = {};
  const listed = v.peers ?? {};
  if (typeof listed !== "object" || listed === null) {
    throw hdpError("BAD_REQUEST", "bandwidth.peers is not an object");
  }
  for (const [key, limits] of Object.entries(listed)) {
    if (!/^[0-9a-f]{64}$/.test(key)) throw hdpError("BAD_REQUEST", "bandwidth.peers: not a key");
    const l = (limits ?? {}) as Record<string, unknown>;
    peers[key] = { upload: checkRate(l.upload ?? 0), download: checkRate(l.download ?? 0) };
  }
  return {
    upload: checkRate(v.upload ?? 0, "upload"),
    download: checkRate(v.download ?? 0, "download"),
    schedules: parseSchedules(v.schedules ?? []),
    peers,
  };
}
