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
