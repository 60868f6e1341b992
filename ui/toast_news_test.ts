import assert from "node:assert/strict";
import type { DownloadItem, NodeEvent, PeerInfo } from "../src/api/light.ts";
import { problemText } from "../src/api/light.ts";
import { newsOf, nothingSeen, type Seen, seenPeers } from "./toast_news.ts";

const PEER: PeerInfo = {
  keyHex: "ab".repeat(32),
  name: "SwiftOtter",
  status: "connecting",
  standing: "friend",
  since: 0,
};

function item(state: DownloadItem["state"], extra: Partial<DownloadItem> = {}): DownloadItem {
  return {
    id: "d1",
    peer: { keyHex: PEER.keyHex, name: PEER.name },
    path: "Music/a.flac",
    state,
    ...extra,
  } as DownloadItem;
}

/** The news of each event in turn, from nothing seen. */
function newsOfAll(events: NodeEvent[], seen: Seen = nothingSeen()): Array<string | undefined> {
  return events.map((event) => {
    const next = newsOf(seen, event);
    seen = next.seen;
    return next.news?.text;
  });
}

Deno.test("a download that finishes or fails is news once; its progress is not", () => {
  const failed = item("failed", { problem: { code: "IO", message: "Disk full" } });
  assert.deepEqual(
    newsOfAll([
      { type: "download", item: item("downloading") },
      { type: "download", item: item("downloading") },
      { type: "download", item: item("done") },
      { type: "download", item: item("done") },
      { type: "download", item: { ...failed, id: "d2" } },
    ]),
    [
      undefined,
      undefined,
      "Downloaded a.flac from SwiftOtter",
      undefined,
      `Download of a.flac failed: ${problemText(failed.problem!)}`,
    ],
  );
});

Deno.test("a peer that connects is news, and so is one that goes away after it was connected", () => {
  const away = {
    ...PEER,
    status: "disconnected" as const,
    problem: { code: "UNAVAILABLE" as const, message: "timed out" },
  };
  assert.deepEqual(
    newsOfAll([
      { type: "peer", peer: PEER },
      { type: "peer", peer: away },
      { type: "peer", peer: { ...PEER, status: "connected" } },
      { type: "peer", peer: { ...PEER, status: "connected" } },
      { type: "peer", peer: away },
    ]),
    [undefined, undefined, "SwiftOtter connected", undefined, "SwiftOtter went away: timed out"],
  );
});

Deno.test("a peer connected when the app opened is news when it goes away", () => {
  const seen = seenPeers(nothingSeen(), [{ ...PEER, status: "connected" }]);
  assert.deepEqual(
    newsOfAll([{ type: "peer", peer: { ...PEER, status: "failed" } }], seen),
    ["SwiftOtter went away"],
  );
});

Deno.test("strangers coming and going are no news; a friend is", () => {
  const stranger = { ...PEER, standing: "known" as const };
  assert.deepEqual(
    newsOfAll([
      { type: "peer", peer: { ...stranger, status: "connected" } },
      { type: "peer", peer: { ...stranger, status: "disconnected" } },
      { type: "peer", peer: { ...stranger, status: "connected", standing: "friend" } },
    ]),
    [undefined, undefined, "SwiftOtter connected"],
  );
});
