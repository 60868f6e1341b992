import assert from "node:assert/strict";
import type { HdpNode } from "../node/mod.ts";
import { hdpError } from "../wire/mod.ts";
import { fakeNode, GUARD, INFO } from "./_fake_node.ts";
import { createApp } from "./app.ts";
import { createClient } from "./client.ts";

function clientOf(node: HdpNode) {
  const app = createApp(node, GUARD);
  return createClient("http://127.0.0.1:3030", {
    fetch: (input, init) => Promise.resolve(app.request(String(input), init)),
  });
}

Deno.test("GET /api/info answers the node's info as JSON", async () => {
  const response = await createApp(fakeNode(), GUARD).request("http://127.0.0.1:3030/api/info");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await response.json(), INFO);
});

Deno.test("the typed client reads info and asks for a stop", async () => {
  const node = fakeNode();
  const client = clientOf(node);
  assert.deepEqual(await client.info(), INFO);
  assert.deepEqual(await client.stop(), { stopping: true });
  assert.equal(await node.stopRequested, "stop requested through the API");
  assert.deepEqual(node.stops, ["stop requested through the API"]);
});

Deno.test("errors carry their code and map to HTTP statuses in one place", async () => {
  const node = fakeNode({
    info: () => {
      throw hdpError("NOT_SHARED", 'Cannot read "a/b": path is not shared');
    },
  });
  const response = await createApp(node, GUARD).request("http://127.0.0.1:3030/api/info");
  assert.equal(response.status, 403);
  assert.deepEqual(await response.json(), {
    error: { code: "NOT_SHARED", message: 'Cannot read "a/b": path is not shared' },
  });
  await assert.rejects(clientOf(node).info(), { code: "NOT_SHARED" });
});

Deno.test("an unknown route is a coded 404", async () => {
  const response = await createApp(fakeNode(), GUARD).request("http://127.0.0.1:3030/api/nope");
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "NOT_FOUND");
});

Deno.test("POST /api/uploads/:id/cancel cancels that upload; an unknown one is a coded 404", async () => {
  const cancelled: string[] = [];
  const client = clientOf(fakeNode({
    cancelUpload: (id: string) => {
      if (id !== "u1") throw hdpError("NOT_FOUND", `No upload with id "${id}"`);
      cancelled.push(id);
    },
  }));
  assert.deepEqual(await client.cancelUpload("u1"), { id: "u1", cancelled: true });
  assert.deepEqual(cancelled, ["u1"]);
  await assert.rejects(client.cancelUpload("nope"), { code: "NOT_FOUND" });
});

const PEER = {
  keyHex: "ab".repeat(32),
  name: "SwiftOtter",
  status: "connecting" as const,
  standing: "friend" as const,
  since: 1,
};

Deno.test("DELETE /api/peers/:peer forgets that peer; an unknown one is a coded 404", async () => {
  const forgotten: string[] = [];
  const client = clientOf(fakeNode({
    forgetPeer: (peer: string) => {
      if (peer !== "SwiftOtter") return Promise.reject(hdpError("NOT_FOUND", "No peer named x"));
      forgotten.push(peer);
      return Promise.resolve(PEER);
    },
  }));
  assert.deepEqual(await client.forgetPeer("SwiftOtter"), { peer: PEER, forgotten: true });
  assert.deepEqual(forgotten, ["SwiftOtter"]);
  await assert.rejects(client.forgetPeer("nobody"), { code: "NOT_FOUND" });
});

Deno.test("POST /api/peers?wait=false answers 202 with the peer connecting, without waiting", async () => {
  const asked: Array<boolean | undefined> = [];
  const node = fakeNode({
    connect: (_address: string, options: { wait?: boolean } = {}) => {
      asked.push(options.wait);
      return Promise.resolve(PEER);
    },
  });
  const app = createApp(node, GUARD);
  const post = (query: string) =>
    app.request(`http://127.0.0.1:3030/api/peers${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: "hdp1x" }),
    });
  const early = await post("?wait=false");
  assert.equal(early.status, 202);
  assert.deepEqual(await early.json(), PEER);
  assert.equal((await post("")).status, 201);
  assert.deepEqual(asked, [false, undefined]);
  const bad = await post("?wait=maybe");
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, "BAD_REQUEST");
  assert.equal((await clientOf(node).connect("hdp1x", { wait: false })).status, "connecting");
});

Deno.test("DELETE /api/downloads forgets the finished states asked for; an unknown state is a coded 400", async () => {
  const asked: Array<readonly string[] | undefined> = [];
  const client = clientOf(fakeNode({
    clearDownloads: (states) => {
      asked.push(states);
      return Promise.resolve(["d1", "d2"]);
    },
  }));
  assert.deepEqual(await client.clearDownloads(), { removed: ["d1", "d2"] });
  assert.deepEqual(await client.clearDownloads(["done"]), { removed: ["d1", "d2"] });
  assert.deepEqual(asked, [undefined, ["done"]]);
  const app = createApp(fakeNode(), GUARD);
  const response = await app.request("http://127.0.0.1:3030/api/downloads?state=gone", {
    method: "DELETE",
  });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.code, "BAD_REQUEST");
});
