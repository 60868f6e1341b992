import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { UI_CSS, UI_JS } from "./_ui_bundle.ts";
import { mountUi, UI_CSP, UI_CSS_PATH, UI_JS_PATH, uiEncoding } from "./ui.ts";

function uiApp(): Hono {
  const app = new Hono();
  mountUi(app);
  return app;
}

Deno.test("GET / answers the page with its Content-Security-Policy, revalidated every time", async () => {
  const response = await uiApp().request("http://127.0.0.1:3030/");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("content-security-policy"), UI_CSP);
  assert.equal(response.headers.get("cache-control"), "no-cache");
  const html = await response.text();
  assert.ok(html.includes(`src="${UI_JS_PATH}"`) && html.includes(`href="${UI_CSS_PATH}"`));
});

Deno.test("the script and the stylesheet are served with their types and cached for good", async () => {
  const app = uiApp();
  const js = await app.request(UI_JS_PATH);
  assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.match(js.headers.get("cache-control") ?? "", /immutable/);
  assert.equal(await js.text(), UI_JS);
  const css = await app.request(UI_CSS_PATH);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(await css.text(), UI_CSS);
});

Deno.test("the page's policy allows only this origin's files and the event stream", () => {
  assert.match(UI_CSP, /default-src 'self'/);
  assert.match(UI_CSP, /connect-src 'self'(;|$)/); // no other host, not even by ws:
  assert.doesNotMatch(UI_CSP, /unsafe-inline|unsafe-eval/);
});

Deno.test("a script URL of another build is not served", async () => {
  const response = await uiApp().request("http://127.0.0.1:3030/app.000000000000.js");
  assert.equal(response.status, 404);
  await response.body?.cancel();
});

Deno.test("the UI's files go compressed as the browser accepts: brotli first, then gzip", async () => {
  const app = uiApp();
  const plain = new TextEncoder().encode(UI_JS).length;
  for (const [accept, encoding] of [["gzip, deflate, br, zstd", "br"], ["gzip", "gzip"]] as const) {
    const response = await app.request(UI_JS_PATH, { headers: { "accept-encoding": accept } });
    assert.equal(response.headers.get("content-encoding"), encoding);
    assert.equal(response.headers.get("vary"), "accept-encoding");
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(bytes.length < plain / 2, `${encoding}: ${bytes.length} of ${plain} bytes`);
    const text = (encoding === "br" ? brotliDecompressSync(bytes) : gunzipSync(bytes)).toString();
    assert.equal(text, UI_JS);
  }
  const refused = await app.request(UI_CSS_PATH, {
    headers: { "accept-encoding": "br;q=0, gzip;q=0" },
  });
  assert.equal(refused.headers.get("content-encoding"), null);
  assert.equal(await refused.text(), UI_CSS);
});

Deno.test("the page is revalidated with its ETag: 304 when the build is the same", async () => {
  const app = uiApp();
  const first = await app.request("http://127.0.0.1:3030/");
  const etag = first.headers.get("etag");
  assert.ok(etag);
  await first.body?.cancel();
  const again = await app.request("http://127.0.0.1:3030/", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("cache-control"), "no-cache");
});

Deno.test("Accept-Encoding is read with its weights", () => {
  assert.equal(uiEncoding(undefined), undefined);
  assert.equal(uiEncoding("identity"), undefined);
  assert.equal(uiEncoding("*"), "br");
  assert.equal(uiEncoding("gzip;q=0.5, br;q=0"), "gzip");
  assert.equal(uiEncoding("BR"), "br");
});
