/**
 * The WebSocket event stream: every node event as one JSON message. The socket itself comes from
 * the runtime's adapter (hono's `UpgradeWebSocket`, injected into the app; server.ts has Deno's),
 * so the app stays runtime-neutral and this is tested without a socket.
 */
import type { Context } from "hono";
import type { UpgradeWebSocket, WSEvents } from "hono/ws";
import type { HdpNode } from "../node/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** What the event socket does: a hello with the node's info, then every event until it closes. */
export function eventSocket(node: HdpNode): WSEvents {
  let unsubscribe: (() => void) | undefined;
  return {
    onOpen(_event, ws) {
      unsubscribe = node.events.on((event) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify(event));
        // the daemon stops or restarts: the socket closes with it, so the server's shutdown does
        // not wait for the page to close it (1012: restarting, 1001: going away)
        if (event.type === "stopping") {
          ws.close(/restart/.test(event.reason) ? 1012 : 1001, "the daemon is stopping");
        }
      });
      ws.send(JSON.stringify({ type: "hello", info: node.info() }));
    },
    onClose: () => unsubscribe?.(),
    onError: () => unsubscribe?.(),
  };
}

/**
 * Answers `GET /api/events` by upgrading it with `upgrade`. Throws `BAD_REQUEST` for a request
 * that is not a WebSocket upgrade, `UNSUPPORTED` when the app was built without an upgrade.
 */
export function eventStream(
  node: HdpNode,
  c: Context,
  upgrade: UpgradeWebSocket | undefined,
): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw hdpError("BAD_REQUEST", "This is a WebSocket endpoint");
  }
  if (!upgrade) throw hdpError("UNSUPPORTED", "This server cannot open WebSockets");
  return upgrade(c, eventSocket(node));
}
