/**
 * The engine: runs inside a Web Worker whose permissions the supervisor narrowed to the shares,
 * storage and download dirs and the network. It builds the node and serves the API.
 */
/// <reference lib="deno.worker" />
import { type ApiServer, createApp, isLoopback, serveApi, upgradeWebSocket } from "../api/mod.ts";
import {
  type HdpNode,
  loadOrCreateToken,
  type NodeConfig,
  RESTART,
  type ScopeControl,
  type ShareSetting,
  startNode,
} from "../node/mod.ts";
import { logger, setLogLevel } from "../log.ts";
import { HdpError, messageOf, toHdpError } from "../wire/mod.ts";
import type { FromEngine, ScopeChange, ToEngine } from "./engine_messages.ts";

const post = (message: FromEngine) => self.postMessage(message);
const log = logger("engine");

// Defence in depth: a promise rejected with nobody listening is a bug, but it must not take the
// whole daemon (every transfer, every peer) down with it.
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  log.error("unhandled rejection (a bug; the daemon carries on)", {
    error: messageOf(event.reason),
  });
});
let node: HdpNode | undefined;
let nextId = 1;
const pending = new Map<number, PromiseWithResolvers<ShareSetting>>();

self.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      void run(message.config);
      break;
    case "stop":
      if (node) node.requestStop(message.reason);
      else post({ type: "stopped", reason: message.reason });
      break;
    case "scope-changed":
      pending.get(message.id)?.resolve(message.share);
      pending.delete(message.id);
      break;
    case "scope-refused":
      pending.get(message.id)?.reject(new HdpError(message.error.code, message.error.message));
      pending.delete(message.id);
      break;
  }
};

/** Scope changes go to the supervisor, which alone may look beyond the current scope. */
const scope: ScopeControl = {
  addShare: (path, options = {}) => askSupervisor({ op: "add", path, ...options }),
  removeShare: (name) => askSupervisor({ op: "remove", name }),
};

/**
 * Requests under way get {@link STOP_GRACE_MS} to finish; then the node closes anyway, and the
 * engine reports it stopped {@link CUT_AFTER_MS} later whatever the server still waits for:
 * ending the worker ends those connections. A stop never hangs on a client: the server's own
 * graceful shutdown would wait for ever for a paused player, which holds its stream open without
 * reading (an error in the response's body does not end it: Deno waits to write what it holds).
 */
const STOP_GRACE_MS = 2000;
const CUT_AFTER_MS = 1000;

async function closeBoth(server: ApiServer, node: HdpNode): Promise<void> {
  const serverClosed = server.close().then(() => true as const);
  if (!await within(serverClosed, STOP_GRACE_MS)) {
    log.info("closing the node with API requests still under way");
  }
  await node.close();
  if (!await within(serverClosed, CUT_AFTER_MS)) {
    log.info("API connections still open are cut as the engine ends");
  }
}

/** Whether `done` settles within `ms`. */
async function within(done: Promise<true>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

function askSupervisor(change: ScopeChange): Promise<ShareSetting> {
  const id = nextId++;
  const answer = Promise.withResolvers<ShareSetting>();
  pending.set(id, answer);
  post({ type: "change-scope", id, change });
  return answer.promise;
}

async function run(config: NodeConfig): Promise<void> {
  setLogLevel(config.logLevel);
  let server: ApiServer | undefined;
  let token: string | undefined;
  try {
    node = await startNode(config, { scope });
    token = isLoopback(config.ui.hostname) ? undefined : await loadOrCreateToken(config.storageDir);
    const app = createApp(node, { bound: config.ui, token }, { upgradeWebSocket });
    server = serveApi(app, config.ui);
    // The worker owns this copy of the config; info() reads it, so it reports the bound port.
    Object.assign(config.ui, server.address); // the same object the guard holds
  } catch (error) {
    await node?.close();
    post({ type: "failed", error: toHdpError(error).toJSON() });
    return;
  }
  post({ type: "ready", info: node.info(), ...(token ? { token } : {}) });
  const reason = await node.stopRequested;
  await closeBoth(server, node);
  post(reason === RESTART ? { type: "restart" } : { type: "stopped", reason });
}
