import assert from "node:assert/strict";
import type { HdpNode } from "../node/mod.ts";
import { createApp } from "./app.ts";

const node = {
  info: () => ({ name: "PersianChinchilla" }),
  events: { on: () => () => {} },
} as unknown as HdpNode;

const loopback = createApp(node, { bound: { hostname: "127.0.0.1", port: 3030 } });
const nas = createApp(node, {
  bound: { hostname: "0.0.0.0", port: 3030 },
  token: "s3cret-token-0123456789abcdef0123",
});

async function status(app: typeof loopback, url: string, headers: Record<string, string> = {}) {
  const response = await app.request(url, { headers });
  const body = await response.text();
  return {
    status: response.status,
    code: response.status >= 400 ? JSON.parse(body).error.code : undefined,
  };
}

Deno.test("the API answers its own host, by IP or localhost, with or without its own Origin", async () => {
  assert.equal((await status(loopback, "http://127.0.0.1:3030/api/info")).status, 200);
  assert.equal((await status(loopback, "http://localhost:3030/api/info")).status, 200);
  assert.equal((await status(loopback, "http://[::1]:3030/api/info")).status, 200);
  const same = await status(loopback, "http://127.0.0.1:3030/api/info", {
    origin: "http://127.0.0.1:3030",
  });
  assert.equal(same.status, 200);
});

Deno.test("a foreign Host (DNS rebinding) and a foreign Origin (CSRF) are refused", async () => {
  const rebound = await status(loopback, "http://127.0.0.1:3030/api/info", {
    host: "evil.example:3030",
  });
  assert.deepEqual(rebound, { status: 403, code: "FORBIDDEN" });
  const otherPort = await status(loopback, "http://127.0.0.1:3030/api/info", {
    host: "127.0.0.1:8080",
  });
  assert.equal(otherPort.status, 403);
  const csrf = await status(loopback, "http://127.0.0.1:3030/api/info", {
    origin: "https://evil.example",
  });
  assert.deepEqual(csrf, { status: 403, code: "FORBIDDEN" });
  const response = await loopback.request("http://127.0.0.1:3030/api/stop", {
    method: "POST",
    headers: { origin: "http://localhost:9999" },
  });
  assert.equal(response.status, 403);
  const page = await status(loopback, "http://127.0.0.1:3030/", { host: "evil.example" });
  assert.equal(page.status, 403, "the UI itself is not served to a rebound name either");
});

Deno.test("beyond loopback the token is required for the API and files, not for the login page", async () => {
  assert.deepEqual(await status(nas, "http://nas.lan:3030/api/info"), {
    status: 401,
    code: "UNAUTHORIZED",
  });
  assert.equal(
    (await status(nas, "http://nas.lan:3030/api/info", { authorization: "Bearer wrong" })).status,
    401,
  );
  assert.equal(
    (await status(nas, "http://nas.lan:3030/api/info", {
      authorization: "Bearer s3cret-token-0123456789abcdef0123",
    }))
      .status,
    200,
  );
  assert.equal(
    (await status(nas, "http://192.168.1.9:3030/api/info?token=s3cret-token-0123456789abcdef0123"))
      .status,
    200,
  );
  assert.equal((await status(nas, "http://nas.lan:3030/files/x.txt")).status, 401);
  assert.equal((await status(nas, "http://nas.lan:3030/")).status, 200);
  const foreign = await status(
    nas,
    "http://nas.lan:3030/api/info?token=s3cret-token-0123456789abcdef0123",
    {
      origin: "https://evil.example",
    },
  );
  assert.equal(foreign.status, 403);
});
