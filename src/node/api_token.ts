/** The API token for a daemon reachable beyond loopback: random, kept 0600 in the storage dir. */
import { join } from "node:path";

/** The token file's name in the storage dir. */
export const TOKEN_FILE = "api-token";

/** Reads the token, creating it on first use. */
export async function loadOrCreateToken(storageDir: string): Promise<string> {
  const path = join(storageDir, TOKEN_FILE);
  try {
    const token = (await Deno.readTextFile(path)).trim();
    if (token.length >= 32) return token;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
  await Deno.writeTextFile(path, token + "\n", { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return token;
}
