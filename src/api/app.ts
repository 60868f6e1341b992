/**
 * The Hono app: the JSON API under /api. Runtime-neutral, so tests drive it with `app.request()`
 * without opening a socket.
 */
import { Hono } from "hono";
import type { HdpNode } from "../node/node.ts";
import { toHdpError } from "../wire/errors.ts";
import { httpStatus } from "./status.ts";
import type { ApiErrorBody, ShareChangeResponse, StopResponse } from "./types.ts";
import { jsonBody, lsQueryFrom } from "./params.ts";
import { logger } from "../log.ts";

const log = logger("api");

/** Builds the API app for a node. */
export function createApp(node: HdpNode): Hono {
  const app = new Hono();

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
    const { path } = await jsonBody(c.req.raw, { path: "string" });
    const share = await node.addShare(path);
    const body: ShareChangeResponse = { share, restarting: true };
    return c.json(body, 201);
  });
  app.delete("/api/shares/:name", async (c) => {
    const share = await node.removeShare(c.req.param("name"));
    const body: ShareChangeResponse = { share, restarting: true };
    return c.json(body);
  });
  app.get("/api/ls", async (c) => c.json(await node.ls(lsQueryFrom(new URL(c.req.url)))));
  app.post("/api/stop", (c) => {
    // Answer first, then stop: the caller should hear that the stop was taken.
    setTimeout(() => node.requestStop("stop requested through the API"), 0);
    const body: StopResponse = { stopping: true };
    return c.json(body, 202);
  });

  return app;
}
