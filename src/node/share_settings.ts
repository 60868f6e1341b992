/**
 * Adding and removing shares in the settings. The supervisor calls these (it holds the full
 * permissions needed to look at a directory that is not shared yet) and then restarts the engine
 * with the new scope.
 */
import { hdpError, isInside } from "../wire/light.ts";
import { nameForShare } from "../shares/light.ts";
import { checkConfinable } from "./sandbox.ts";
import { readSettings, type ShareSetting, withSettingsLock, writeSettings } from "./settings.ts";
import { type Audience, DEFAULT_AUDIENCE } from "./audience.ts";

/** Options of {@link addShare}. */
export interface AddShareOptions {
  /** Who may see it; default {@link DEFAULT_AUDIENCE} for a new share, unchanged for one there. */
  audience?: Audience;
  /**
   * What a path shared already without an `audience` gives: `keep` answers the share as it is
   * (`start --share-dir` on every start), `refuse` throws `CONFLICT` (the API). Default `keep`.
   */
  ifShared?: "keep" | "refuse";
}

/** What adding a real path to `shares` does: see {@link planShareAdd}. */
export type ShareAddPlan =
  | { kind: "new" }
  | { kind: "keep"; share: ShareSetting }
  | { kind: "change"; share: ShareSetting; audience: Audience };

/**
 * Decides what adding the real path `real` to `shares` does: a new share, the audience of the
 * share there changed, or that share kept; throws `CONFLICT` when it is shared and `ifShared` is
 * `refuse` with no audience to change. Pure.
 */
export function planShareAdd(
  shares: readonly ShareSetting[],
  real: string,
  options: AddShareOptions = {},
): ShareAddPlan {
  const share = shares.find((s) => s.path === real);
  if (!share) return { kind: "new" };
  if (options.audience !== undefined) return { kind: "change", share, audience: options.audience };
  if (options.ifShared === "refuse") {
    throw hdpError("CONFLICT", `Cannot share "${real}": it is shared already, as "${share.name}"`);
  }
  return { kind: "keep", share };
}

/**
 * Adds `path` as a share, for `audience` (default {@link DEFAULT_AUDIENCE}); a share already there
 * takes the audience when one is given (see {@link planShareAdd}). Throws `NOT_FOUND`,
 * `BAD_REQUEST` or `CONFLICT`.
 */
export async function addShare(
  storageDir: string,
  path: string,
  options: AddShareOptions = {},
): Promise<ShareSetting> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    throw hdpError("NOT_FOUND", `Cannot share "${path}": it does not exist`);
  }
  if (!(await Deno.stat(real)).isDirectory) {
    throw hdpError("BAD_REQUEST", `Cannot share "${path}": it is not a directory`);
  }
  checkConfinable(real, "Cannot share");
  const storage = await Deno.realPath(storageDir).catch(() => storageDir);
  if (isInside(real, storage) || isInside(storage, real)) {
    throw hdpError(
      "CONFLICT",
      `Cannot share "${path}": it overlaps the storage dir, which holds your private key`,
    );
  }
  return await withSettingsLock(storageDir, () => addShareSetting(storageDir, real, options));
}

async function addShareSetting(
  storageDir: string,
  real: string,
  options: AddShareOptions,
): Promise<ShareSetting> {
  const settings = await readSettings(storageDir);
  const plan = planShareAdd(settings.shares, real, options);
  if (plan.kind === "keep") return plan.share;
  if (plan.kind === "change") {
    const changed = { ...plan.share, audience: plan.audience };
    await writeSettings(storageDir, {
      ...settings,
      shares: settings.shares.map((s) => (s === plan.share ? changed : s)),
    });
    return changed;
  }
  const share = {
    name: nameForShare(real, settings.shares.map((s) => s.name)),
    path: real,
    audience: options.audience ?? DEFAULT_AUDIENCE,
  };
  await writeSettings(storageDir, { ...settings, shares: [...settings.shares, share] });
  return share;
}

/**
 * Sets the audience of the share called `name` (no restart: the engine applies it at once);
 * throws `NOT_FOUND` when there is none.
 */
export async function setShareAudience(
  storageDir: string,
  name: string,
  audience: Audience,
): Promise<ShareSetting> {
  return await withSettingsLock(storageDir, async () => {
    const settings = await readSettings(storageDir);
    const share = settings.shares.find((s) => s.name === name);
    if (!share) throw hdpError("NOT_FOUND", `No share named "${name}"`);
    const changed = { ...share, audience };
    await writeSettings(storageDir, {
      ...settings,
      shares: settings.shares.map((s) => (s === share ? changed : s)),
    });
    return changed;
  });
}

/** Removes the share called `name`; throws `NOT_FOUND` when there is none. */
export function removeShare(storageDir: string, name: string): Promise<ShareSetting> {
  return withSettingsLock(storageDir, async () => {
    const settings = await readSettings(storageDir);
    const share = settings.shares.find((s) => s.name === name);
    if (!share) throw hdpError("NOT_FOUND", `No share named "${name}"`);
    await writeSettings(storageDir, {
      ...settings,
      shares: settings.shares.filter((s) => s !== share),
    });
    return share;
  });
}
