import assert from "node:assert/strict";
import { Hono } from "hono";
import { UI_CSS, UI_JS } from "./_ui_bundle.ts";
import { mountUi, UI_CSP, UI_CSS_PATH, UI_JS_PATH } from "./ui.ts";

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
