/** The API token: from a `#token=…` link or typed on the login screen, kept in localStorage. */
import { tokenFromHash } from "./route.ts";

const KEY = "hdp-token";

/** The token to start with: one in the URL (see {@link takeUrlToken}), or the saved one. */
export function initialToken(): string | undefined {
  const fromUrl = takeUrlToken();
  if (fromUrl) return fromUrl;
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the token lasts as long as the page
  }
}

/** Remembers the token for the next visits. */
export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    // storage disabled: nothing to remember it in
  }
}

/** A `#token=…` in the URL: saved, then replaced by `#home` so it stays out of the history. */
export function takeUrlToken(): string | undefined {
  const token = tokenFromHash(location.hash);
  if (!token) return undefined;
  saveToken(token);
  history.replaceState(null, "", `${location.pathname}${location.search}#home`);
  // replaceState fires no hashchange: tell the router
  dispatchEvent(new HashChangeEvent("hashchange"));
  return token;
}
