import assert from "node:assert/strict";
import { join } from "node:path";
import { UI_BUNDLE_PATH, writeUiBundle } from "./build_ui.ts";
import { UI_CSS, UI_HASH, UI_HTML, UI_JS } from "../src/api/_ui_bundle.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("src/api/_ui_bundle.ts is up to date with ui/ (else run `deno task build:ui`)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hdp-ui-test-" });
  try {
    const fresh = join(dir, "_ui_bundle.ts");
    await writeUiBundle(fresh);
    const committed = await Deno.readTextFile(join(ROOT, UI_BUNDLE_PATH));
    // a plain boolean: a diff of two minified bundles would bury the hint
    assert.ok(
      committed === await Deno.readTextFile(fresh),
      `${UI_BUNDLE_PATH} is stale: run \`deno task build:ui\``,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bundle's hash is that of its script and stylesheet, which its page loads", async () => {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${UI_JS}\n${UI_CSS}`),
  );
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(UI_HASH, hex.slice(0, 12));
  assert.match(UI_HTML, new RegExp(`<script type="module" src="/app\\.${UI_HASH}\\.js">`));
  assert.match(UI_HTML, new RegExp(`<link rel="stylesheet" href="/app\\.${UI_HASH}\\.css">`));
});

Deno.test("the page has no inline script or style, as its Content-Security-Policy demands", () => {
  assert.doesNotMatch(UI_HTML, /<script(?![^>]*\ssrc=)[^>]*>/);
  assert.doesNotMatch(UI_HTML, /<style|\sstyle=|\son[a-z]+=/i);
});

Deno.test("the bundle imports nothing: a browser cannot load node: or npm: modules", () => {
  const specifier =
    /\b(?:from|import)\s*\(?\s*["'](?:node:|npm:|jsr:|https?:|\.{0,2}\/)[^"']*["']/g;
  const imports = UI_JS.match(specifier) ?? [];
  assert.deepEqual(imports, [], "a module the UI loads reached a server-only face");
});
