/**
 * The web UI's routes: the page at `/`, its script and stylesheet at hashed URLs. Everything is
 * embedded (src/api/_ui_bundle.ts, built by tools/build_ui.ts), so a compiled binary needs no files.
 * Screens use hash routing (`/#peers`), so no other path needs the page.
 */
import type { Hono } from "hono";
import { UI_CSS, UI_HASH, UI_HTML, UI_JS } from "./_ui_bundle.ts";

/** The page's Content-Security-Policy: only this origin's files, no inline code. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'", // CSP 3: 'self' covers ws: and wss: to this same host
  "img-src 'self' blob: data:",
  "media-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The URL of the UI's script; it changes whenever the script or the stylesheet does. */
export const UI_JS_PATH = `/app.${UI_HASH}.js`;
/** The URL of the UI's stylesheet. */
export const UI_CSS_PATH = `/app.${UI_HASH}.css`;

// the hash in the URL changes with the content: caches may keep these for good
const IMMUTABLE = "public, max-age=31536000, immutable";

/** Adds the UI's routes to `app` (GET, and HEAD through Hono). */
export function mountUi(app: Hono): void {
  app.get("/", (c) =>
    c.body(UI_HTML, 200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-security-policy": UI_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    }));
  app.get(UI_JS_PATH, (c) =>
    c.body(UI_JS, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": IMMUTABLE,
      "x-content-type-options": "nosniff",
    }));
  app.get(UI_CSS_PATH, (c) =>
    c.body(UI_CSS, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": IMMUTABLE,
      "x-content-type-options": "nosniff",
    }));
}
