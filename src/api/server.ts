/** The Deno adapter of the API app: serving it on a TCP address, and Deno's WebSocket upgrade. */
import type { Hono } from "hono";
import { upgradeWebSocket as denoUpgradeWebSocket } from "hono/deno";
import { defineWebSocketHelper, type UpgradeWebSocket } from "hono/ws";
import type { HostPort } from "../node/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** Deno's WebSocket upgrade, for `createApp`; a client silent for a minute is dropped. */
export const upgradeWebSocket: UpgradeWebSocket<WebSocket> = defineWebSocketHelper(
  (c, events) => denoUpgradeWebSocket(c, events, { idleTimeout: 60 }),
);

/** A running HTTP server. */
export interface ApiServer {
  /** The address actually bound (port 0 resolved). */
  readonly address: HostPort;
  /** Stops accepting and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Serves `app` on `address`; throws `UNAVAILABLE` when the address is taken. */
export function serveApi(app: Hono, address: HostPort): ApiServer {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: address.hostname,
      port: address.port,
      onListen: () => {},
    }, app.fetch);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw hdpError(
        "UNAVAILABLE",
        `Cannot serve the control API on ${address.hostname}:${address.port}: the address is in use (is another harddrive-party running? pick another with --ui-address)`,
        error,
      );
    }
    throw error;
  }
  return {
    address: { hostname: server.addr.hostname, port: server.addr.port },
    close: () => server.shutdown(),
  };
}
