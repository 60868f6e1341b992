/**
 * The web UI's routes: the page at `/`, its script and stylesheet at hashed URLs. Everything is
 * embedded (src/api/_ui_bundle.ts, built by tools/build_ui.ts), so a compiled binary needs no files.
 * Screens use hash routing (`/#peers`), so no other path needs the page.
 */
import { Buffer } from "node:buffer";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
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

/** One of the UI's files: its text and its headers. */
interface UiFile {
  text: string;
  headers: Record<string, string>;
}

const FILES: Record<string, UiFile> = {
  "/": {
    text: UI_HTML,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-security-policy": UI_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  },
  [UI_JS_PATH]: {
    text: UI_JS,
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": IMMUTABLE,
      "x-content-type-options": "nosniff",
    },
  },
  [UI_CSS_PATH]: {
    text: UI_CSS,
    headers: {
      "content-type": "text/css; charset=utf-8",
      "cache-control": IMMUTABLE,
      "x-content-type-options": "nosniff",
    },
  },
};

/** The encodings the UI's files are sent in, best first; each made once, on first use. */
export type UiEncoding = "br" | "gzip";
const compressed = new Map<string, Uint8Array<ArrayBuffer>>();

function encoded(path: string, encoding: UiEncoding): Uint8Array<ArrayBuffer> {
  const key = `${encoding} ${path}`;
  let bytes = compressed.get(key);
  if (!bytes) {
    const text = Buffer.from(FILES[path]!.text);
    bytes = new Uint8Array(
      encoding === "br"
        ? brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        : gzipSync(text, { level: 9 }),
    );
    compressed.set(key, bytes);
  }
  return bytes;
}

/** Which encoding an `Accept-Encoding` header allows, brotli first; undefined: none. */
export function uiEncoding(accept: string | null | undefined): UiEncoding | undefined {
  const allowed = new Map<string, number>();
  for (const part of (accept ?? "").toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) allowed.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => allowed.get(name) ?? (allowed.get("*") ?? 0);
  if (weight("br") > 0) return "br";
  if (weight("gzip") > 0) return "gzip";
  return undefined;
}

/**
 * Adds the UI's routes to `app` (GET, and HEAD through Hono): compressed with brotli or gzip as the
 * browser accepts (made once), ETags for revalidating the page.
 */
export function mountUi(app: Hono): void {
  for (const [path, file] of Object.entries(FILES)) {
    const etag = `"${UI_HASH}"`;
    app.get(path, (c) => {
      const headers = new Headers({ ...file.headers, "vary": "accept-encoding", etag });
      if (c.req.header("if-none-match") === etag) {
        return new Response(null, { status: 304, headers });
      }
      const encoding = uiEncoding(c.req.header("accept-encoding"));
      if (!encoding) return new Response(file.text, { headers });
      headers.set("content-encoding", encoding);
      return new Response(encoded(path, encoding), { headers });
    });
  }
}
