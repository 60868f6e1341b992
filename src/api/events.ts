/** The WebSocket event stream: every node event as one JSON message. */
import type { HdpNode } from "../node/node.ts";
import { hdpError } from "../wire/errors.ts";

/** Upgrades `request` to a WebSocket that carries the node's events until either side closes. */
export function eventStream(node: HdpNode, request: Request): Response {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw hdpError("BAD_REQUEST", "This is a WebSocket endpoint");
  }
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 60 });
  let unsubscribe: (() => void) | undefined;
  socket.onopen = () => {
    unsubscribe = node.events.on((event) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
    });
    socket.send(JSON.stringify({ type: "hello", info: node.info() }));
  };
  socket.onclose = () => unsubscribe?.();
  socket.onerror = () => unsubscribe?.();
  return response;
}
