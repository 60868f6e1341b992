/**
 * The Hono app: the JSON API under /api. Runtime-neutral (the WebSocket upgrade is injected), so
 * tests drive it with `app.request()` without opening a socket.
 */
import { Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import { DOWNLOAD_ACTIONS, DOWNLOAD_STATES, type DownloadState } from "../downloads/mod.ts";
import type { HdpNode } from "../node/mod.ts";
import { hdpError, toHdpError } from "../wire/mod.ts";
import { eventStream } from "./events.ts";
import { listDownloaded, serveDownloaded } from "./files.ts";
import { mountUi } from "./ui.ts";
import { checkRequest, type GuardOptions } from "./guard.ts";
import { httpStatus } from "./status.ts";
import {
  type ApiErrorBody,
  type AudienceInput,
  type AudienceRequest,
  type CancelUploadResponse,
  type ClearDownloadsResponse,
  type DownloadAction,
  type ForgetPeerResponse,
  type LimitsChange,
  type ShareChangeResponse,
  type StopResponse,
  type TransferCounts,
} from "./types.ts";
import { jsonBody, lsQueryFrom, searchQueryFrom } from "./params.ts";
import { streamPeerFile } from "./peer_stream.ts";
import { servePlaylist } from "./playlist.ts";
import { SEARCH_STREAM_TYPE, searchEach, searchPeers, searchStream } from "./search.ts";
import { logger } from "../log.ts";

const log = logger("api");

/** What the runtime's adapter (server.ts for Deno) gives the app. */
export interface AppOptions {
  /** Upgrades `/api/events` to a WebSocket. Default: none, and that route answers `UNSUPPORTED`. */
  upgradeWebSocket?: UpgradeWebSocket;
}

/** Builds the API app for a node, guarded as `guard` says (see guard.ts). */
export function createApp(node: HdpNode, guard: GuardOptions, options: AppOptions = {}): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    const path = c.req.path;
    checkRequest(c.req.raw, guard, path.startsWith("/api/") || path.startsWith("/files/"));
    await next();
  });

  app.onError((error, c) => {
    const coded = toHdpError(error);
    if (coded.code === "INTERNAL") log.error("request failed", { path: c.req.path, error });
    const body: ApiErrorBody = { error: coded.toJSON() };
    return c.json(body, httpStatus(coded.code));
  });
  app.notFound((c) => {
    const body: ApiErrorBody = {
      error: { code: "NOT_FOUND", message: `No route ${c.req.method} ${c.req.path}` },
    };
    return c.json(body, 404);
  });

  app.get("/api/info", (c) => c.json(node.info()));

  app.get("/api/shares", async (c) => c.json(await node.shares()));
  app.post("/api/shares", async (c) => {
    const asked = await jsonBody(c.req.raw, { path: "string" });
    const audience = (asked as { audience?: AudienceInput }).audience;
    const share = await node.addShare(asked.path, audience === undefined ? {} : { audience });
    const body: ShareChangeResponse = { share, restarting: true };
    return c.json(body, 201);
  });
  app.put("/api/shares/:name/audience", async (c) => {
    const { audience } = await jsonBody(c.req.raw, {}) as Partial<AudienceRequest>;
    if (audience === undefined) throw hdpError("BAD_REQUEST", '"audience" is missing');
    return c.json(await node.setShareAudience(c.req.param("name"), audience));
  });
  app.delete("/api/shares/:name", async (c) => {
    const share = await node.removeShare(c.req.param("name"));
    const body: ShareChangeResponse = { share, restarting: true };
    return c.json(body);
  });
  app.get("/api/ls", async (c) => c.json(await node.ls(lsQueryFrom(new URL(c.req.url)))));

  app.get("/api/peers", (c) => c.json(node.peers()));
  app.post("/api/peers", async (c) => {
    const { address } = await jsonBody(c.req.raw, { address: "string" });
    // `?wait=false`: answered at once (202) while the dial goes on; the peer's events tell the rest
    const wait = waitParam(new URL(c.req.url));
    if (wait) return c.json(await node.connect(address), 201);
    const peer = await node.connect(address, { wait: false });
    return c.json(peer, peer.status === "connected" ? 201 : 202);
  });
  app.delete("/api/peers/:peer", async (c) => {
    const body: ForgetPeerResponse = {
      peer: await node.forgetPeer(c.req.param("peer")),
      forgotten: true,
    };
    return c.json(body);
  });
  app.put("/api/peers/:peer/standing", async (c) => {
    const { standing } = await jsonBody(c.req.raw, { standing: "string" });
    if (standing !== "friend" && standing !== "known" && standing !== "blocked") {
      throw hdpError("BAD_REQUEST", '"standing" must be friend, known or blocked');
    }
    return c.json(node.setPeerStanding(c.req.param("peer"), standing));
  });
  app.put("/api/peers/:peer/limit", async (c) => {
    const change = limitsChange(await jsonBody(c.req.raw, {}));
    return c.json(await node.setPeerLimit(c.req.param("peer"), change));
  });
  app.get("/api/bandwidth", (c) => c.json(node.bandwidth()));
  app.put("/api/settings/transfers", async (c) => {
    const body = await jsonBody(c.req.raw, {});
    return c.json(await node.setTransfers(body as Partial<TransferCounts>));
  });
  app.put("/api/bandwidth", async (c) => {
    const body = await jsonBody(c.req.raw, {}) as { schedules?: unknown };
    const change = limitsChange(body);
    return c.json(
      await node.setBandwidth({
        ...change,
        ...(body.schedules !== undefined ? { schedules: body.schedules } : {}),
      }),
    );
  });
  app.get("/api/peers/:peer/ls", async (c) => {
    return c.json(await node.peerLs(c.req.param("peer"), lsQueryFrom(new URL(c.req.url))));
  });
  app.get("/api/search", async (c) => {
    const url = new URL(c.req.url);
    const query = searchQueryFrom(url);
    if (url.searchParams.get("stream") !== "1") return c.json(await searchPeers(node, query));
    const body = await searchStream(searchEach(node, query));
    return new Response(body, {
      headers: { "content-type": SEARCH_STREAM_TYPE, "cache-control": "no-store" },
    });
  });
  app.get("/api/downloads", (c) => c.json(node.downloads()));
  app.post("/api/downloads", async (c) => {
    const { peer, path } = await jsonBody(c.req.raw, { peer: "string", path: "string" });
    return c.json(await node.download(peer, path), 201);
  });
  app.delete("/api/downloads", async (c) => {
    const states = downloadStates(new URL(c.req.url).searchParams.get("state"));
    const body: ClearDownloadsResponse = { removed: await node.clearDownloads(states) };
    return c.json(body);
  });
  app.post("/api/downloads/:id/:action", async (c) => {
    const action = c.req.param("action");
    if (!isDownloadAction(action)) {
      throw hdpError(
        "BAD_REQUEST",
        `Unknown action "${action}": use ${DOWNLOAD_ACTIONS.join(", ")}`,
      );
    }
    return c.json(await node.downloadAction(c.req.param("id"), action));
  });
  app.get("/api/uploads", (c) => c.json(node.uploads()));
  app.post("/api/uploads/:id/cancel", (c) => {
    const id = c.req.param("id");
    node.cancelUpload(id);
    const body: CancelUploadResponse = { id, cancelled: true };
    return c.json(body);
  });
  app.get("/api/history", async (c) => c.json(await node.history()));
  app.get("/api/events", (c) => eventStream(node, c, options.upgradeWebSocket));
  app.get("/files/*", (c) => serveDownloaded(node.info().downloadDir, c.req.raw));
  app.get("/api/downloaded", async (c) => {
    const path = new URL(c.req.url).searchParams.get("path") ?? "";
    return c.json(await listDownloaded(node.info().downloadDir, path));
  });

  // HEAD comes here too (Hono answers it with a GET's headers): the stream tells them apart
  app.get("/api/peers/:peer/read", (c) => streamPeerFile(node, c.req.param("peer"), c.req.raw));
  app.get(
    "/api/peers/:peer/playlist.m3u",
    (c) => servePlaylist(node, c.req.param("peer"), c.req.raw, { token: guard.token }),
  );
  app.post("/api/stop", (c) => {
    // Answer first, then stop: the caller should hear that the stop was taken.
    setTimeout(() => node.requestStop("stop requested through the API"), 0);
    const body: StopResponse = { stopping: true };
    return c.json(body, 202);
  });

  mountUi(app);
  return app;
}

/** `{upload?, download?}` of a request body, each a rate in bytes a second (0: none). */
function limitsChange(body: Record<string, unknown>): LimitsChange {
  const change: LimitsChange = {};
  for (const key of ["upload", "download"] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw hdpError("BAD_REQUEST", `"${key}" must be whole bytes a second (0: no limit)`);
    }
    change[key] = value;
  }
  return change;
}

/** `?wait=` of a connect: true (the default) or false; anything else is `BAD_REQUEST`. */
function waitParam(url: URL): boolean {
  const wait = url.searchParams.get("wait");
  if (wait === null || wait === "true") return true;
  if (wait === "false") return false;
  throw hdpError("BAD_REQUEST", `"wait" must be true or false, got "${wait}"`);
}

/** `?state=done,failed` as states (undefined when absent: the node's default, both). */
function downloadStates(text: string | null): DownloadState[] | undefined {
  if (text === null || text === "") return undefined;
  return text.split(",").map((state) => {
    if (!(DOWNLOAD_STATES as readonly string[]).includes(state)) {
      throw hdpError("BAD_REQUEST", `Unknown state "${state}": use ${DOWNLOAD_STATES.join(", ")}`);
    }
    return state as DownloadState;
  });
}

function isDownloadAction(value: string): value is DownloadAction {
  return (DOWNLOAD_ACTIONS as readonly string[]).includes(value);
}
