import assert from "node:assert/strict";
import { fakeNode, INFO } from "./_fake_node.ts";
import { createApp } from "./app.ts";
import { serveApi, upgradeWebSocket } from "./server.ts";

Deno.test("Deno's upgrade opens the event socket on a real port: a hello, then the node's events", async () => {
  const node = fakeNode();
  const bound = { hostname: "127.0.0.1", port: 0 };
  const server = serveApi(createApp(node, { bound }, { upgradeWebSocket }), bound);
  Object.assign(bound, server.address); // the guard checks the Host against the bound port
  const socket = new WebSocket(`ws://127.0.0.1:${bound.port}/api/events`);
  try {
    const messages: unknown[] = [];
    const two = Promise.withResolvers<void>();
    socket.onmessage = (event) => {
      messages.push(JSON.parse(event.data));
      if (messages.length === 1) node.events.emit({ type: "shares" });
      if (messages.length === 2) two.resolve();
    };
    socket.onerror = () => two.reject(new Error("the socket failed"));
    await two.promise;
    assert.deepEqual(messages, [{ type: "hello", info: INFO }, { type: "shares" }]);
  } finally {
    const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
    socket.close();
    await closed;
    await server.close();
  }
});
