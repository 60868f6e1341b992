/** Serving `Ls`: a listing's pages from the node's index, then its end. */
import {
  encodeFrame,
  type EndResponse,
  type LsPage,
  type LsRequest,
  type PageResponse,
} from "../wire/mod.ts";
import type { Exchange } from "./handlers.ts";
import { writeOrStall } from "./stalled_write.ts";

/** Sends a listing's pages as they come (each write waits for the peer: backpressure), then its end. */
export async function serveLs(
  { writer, handlers, stallMs, requester, throttle }: Exchange,
  request: LsRequest,
): Promise<void> {
  let last: LsPage | undefined;
  for await (const page of handlers.ls(request, requester)) {
    last = page;
    const frame: PageResponse = { type: "page", ...page };
    const bytes = encodeFrame(frame);
    const wait = throttle?.take(requester.keyHex, bytes.length, { priority: "interactive" });
    if (wait) await wait; // listings are interactive: ahead of bulk uploads, within the limit
    await writeOrStall(writer, bytes, stallMs);
  }
  const end: EndResponse = { type: "end", partial: last?.partial ?? false };
  if (last?.totals) end.totals = last.totals;
  await writeOrStall(writer, encodeFrame(end), stallMs);
}
