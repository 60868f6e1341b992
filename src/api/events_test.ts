import assert from "node:assert/strict";
import { defineWebSocketHelper, WSContext, type WSEvents } from "hono/ws";
import { fakeNode, GUARD, INFO } from "./_fake_node.ts";
import { createApp } from "./app.ts";

const EVENTS_URL = "http://127.0.0.1:3030/api/events";
const UPGRADE = { headers: { upgrade: "websocket" } };

/** An upgrade that opens no socket: it keeps the events for the test to drive. */
function fakeUpgrade() {
  const opened: WSEvents[] = [];
  const upgradeWebSocket = defineWebSocketHelper((_c, events) => {
    opened.push(events);
    return new Response("upgraded");
  });
  return { opened, upgradeWebSocket };
}

/** A socket that records what is sent on it. */
function fakeSocket(): { ws: WSContext; sent: unknown[] } {
  const sent: unknown[] = [];
  const ws = new WSContext({
    send: (data) => void sent.push(JSON.parse(String(data))),
    close: () => {},
    readyState: 1,
  });
  return { ws, sent };
}

Deno.test("the event socket says hello with the node's info, then relays events until it closes", async () => {
  const node = fakeNode();
  const { opened, upgradeWebSocket } = fakeUpgrade();
  const response = await createApp(node, GUARD, { upgradeWebSocket }).request(EVENTS_URL, UPGRADE);
  assert.equal(await response.text(), "upgraded");
  const events = opened[0]!;
  const { ws, sent } = fakeSocket();
  events.onOpen?.(new Event("open"), ws);
  node.events.emit({ type: "shares" });
  events.onClose?.(new CloseEvent("close"), ws);
  node.events.emit({ type: "info" });
  assert.deepEqual(sent, [{ type: "hello", info: INFO }, { type: "shares" }]);
});

Deno.test("the event stream refuses a plain request, and an app built without an upgrade", async () => {
  const { upgradeWebSocket } = fakeUpgrade();
  const plain = await createApp(fakeNode(), GUARD, { upgradeWebSocket }).request(EVENTS_URL);
  assert.equal(plain.status, 400);
  assert.equal((await plain.json()).error.code, "BAD_REQUEST");
  const without = await createApp(fakeNode(), GUARD).request(EVENTS_URL, UPGRADE);
  assert.equal(without.status, 501);
  assert.equal((await without.json()).error.code, "UNSUPPORTED");
});

Deno.test("the event socket closes when the daemon stops or restarts, after saying so", async () => {
  for (
    const [reason, code] of [
      ["stop requested through the API", 1001],
      ["restart with a new permission scope", 1012],
    ] as const
  ) {
    const node = fakeNode();
    const { opened, upgradeWebSocket } = fakeUpgrade();
    await createApp(node, GUARD, { upgradeWebSocket }).request(EVENTS_URL, UPGRADE);
    const sent: unknown[] = [];
    const closed: Array<number | undefined> = [];
    const ws = new WSContext({
      send: (data) => void sent.push(JSON.parse(String(data))),
      close: (c) => void closed.push(c),
      readyState: 1,
    });
    opened[0]!.onOpen?.(new Event("open"), ws);
    node.events.emit({ type: "stopping", reason });
    assert.deepEqual(sent.at(-1), { type: "stopping", reason });
    assert.deepEqual(closed, [code]);
  }
});
