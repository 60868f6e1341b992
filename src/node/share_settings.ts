/**
 * Adding and removing shares in the settings. The supervisor calls these (it holds the full
 * permissions needed to look at a directory that is not shared yet) and then restarts the engine
 * with the new scope.
 */
import { hdpError, isInside } from "../wire/light.ts";
import { nameForShare } from "../shares/light.ts";
import { checkConfinable } from "./sandbox.ts";
import { readSettings, type ShareSetting, writeSettings } from "./settings.ts";
import { type Audience, DEFAULT_AUDIENCE } from "./audience.ts";

/**
 * Adds `path` as a share, for `audience` (default {@link DEFAULT_AUDIENCE}); a share already there
 * takes the audience when one is given. Throws `NOT_FOUND`, `BAD_REQUEST` or `CONFLICT`.
 */
export async function addShare(
  storageDir: string,
  path: string,
  options: { audience?: Audience } = {},
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
  const settings = await readSettings(storageDir);
  const existing = settings.shares.find((s) => s.path === real);
  if (existing && options.audience === undefined) return existing;
  if (existing) {
    const changed = { ...existing, audience: options.audience! };
    await writeSettings(storageDir, {
      ...settings,
      shares: settings.shares.map((s) => (s === existing ? changed : s)),
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
  const settings = await readSettings(storageDir);
  const share = settings.shares.find((s) => s.name === name);
  if (!share) throw hdpError("NOT_FOUND", `No share named "${name}"`);
  const changed = { ...share, audience };
  await writeSettings(storageDir, {
    ...settings,
    shares: settings.shares.map((s) => (s === share ? changed : s)),
  });
  return changed;
}

/** Removes the share called `name`; throws `NOT_FOUND` when there is none. */
export async function removeShare(storageDir: string, name: string): Promise<ShareSetting> {
  const settings = await readSettings(storageDir);
  const share = settings.shares.find((s) => s.name === name);
  if (!share) throw hdpError("NOT_FOUND", `No share named "${name}"`);
  await writeSettings(storageDir, {
    ...settings,
    shares: settings.shares.filter((s) => s !== share),
  });
  return share;
}
