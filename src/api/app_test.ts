import assert from "node:assert/strict";
import type { HdpNode, NodeInfo } from "../node/node.ts";
import { EventBus } from "../node/events.ts";
import { hdpError } from "../wire/errors.ts";
import { createApp } from "./app.ts";
import { createClient } from "./client.ts";

const GUARD = { bound: { hostname: "127.0.0.1", port: 3030 } };

const INFO: NodeInfo = {
  name: "PersianChinchilla",
  publicKey: "00".repeat(32),
  announceAddress: "hdp1test",
  natType: "unknown",
  listening: ["192.0.2.1:50000"],
  port: 50000,
  shares: [{ name: "music", path: "/srv/music" }],
  downloadDir: "/dl",
  storageDir: "/state",
  uiAddress: "127.0.0.1:3030",
  version: "0.1.0",
};

function fakeNode(overrides: Partial<HdpNode> = {}): HdpNode & { stops: string[] } {
  const stops: string[] = [];
  const stopped = Promise.withResolvers<string>();
  const unused = () => Promise.reject(new Error("not used in this test"));
  return {
    stops,
    events: new EventBus(),
    info: () => INFO,
    shares: unused,
    addShare: unused,
    removeShare: unused,
    ls: unused,
    connect: unused,
    peers: () => [],
    peerLs: unused,
    peerRead: unused,
    download: unused,
    downloads: () => [],
    downloadAction: unused,
    uploads: () => [],
    history: unused,
    requestStop: (reason) => {
      stops.push(reason);
      stopped.resolve(reason);
    },
    stopRequested: stopped.promise,
    close: () => Promise.resolve(),
    ...overrides,
  };
}

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
