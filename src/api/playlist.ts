/**
 * An M3U playlist of a peer's folder: its audio and video files, in name order, as stream URLs
 * of this API, so that a player plays them without downloading (see peer_stream.ts).
 */
import type { HdpNode } from "../node/mod.ts";
import { hdpError, type LsEntry, MAX_LS_LIMIT } from "../wire/mod.ts";
import { previewKind } from "../wire/mod.ts";
import { type StreamTarget, streamUrl } from "./stream_url.ts";

/** What a playlist needs of the node. */
export type PlaylistNode = Pick<HdpNode, "peerLs">;

/** The content type of a playlist: M3U, written in UTF-8. */
export const M3U_TYPE = "audio/x-mpegurl; charset=utf-8";

/**
 * The most listing pages a playlist follows: a folder of this many files is a catalogue, not a
 * playlist, and a peer answering cursor after cursor must not keep the request going forever.
 */
export const MAX_PLAYLIST_PAGES = 100;

/** Whether a listed entry is something a player plays. */
export function isPlayable(entry: LsEntry): boolean {
  const kind = entry.isDir ? undefined : previewKind(entry.name);
  return kind === "audio" || kind === "video";
}

/** The text of an extended M3U playlist of the playable entries, in name order. */
export function m3uPlaylist(entries: LsEntry[], target: StreamTarget): string {
  const lines = ["#EXTM3U"];
  const playable = entries.filter(isPlayable).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  for (const entry of playable) {
    const title = entry.name.slice(entry.name.lastIndexOf("/") + 1).replace(/[\r\n]/g, " ");
    lines.push(`#EXTINF:-1,${title}`, streamUrl(entry.name, target));
  }
  return lines.join("\n") + "\n";
}

/** Every entry of one folder of a peer (not below it), following the cursor page after page. */
export async function folderEntries(
  node: PlaylistNode,
  peer: string,
  path: string,
): Promise<{ entries: LsEntry[]; peerKey: string }> {
  const entries: LsEntry[] = [];
  let cursor: string | undefined;
  let peerKey = "";
  for (let pages = 0; pages < MAX_PLAYLIST_PAGES; pages++) {
    const query = { path, limit: MAX_LS_LIMIT, ...(cursor === undefined ? {} : { cursor }) };
    const page = await node.peerLs(peer, query);
    peerKey = page.peer.keyHex;
    entries.push(...page.entries);
    if (page.cursor === undefined || page.cursor === cursor) break;
    cursor = page.cursor;
  }
  return { entries, peerKey };
}

/**
 * Answers `GET /api/peers/PEER/playlist.m3u?path=FOLDER`: stream URLs on the host the client
 * reached this API by (the guard has checked it on loopback), with `token` in each when given.
 */
export async function servePlaylist(
  node: PlaylistNode,
  peer: string,
  request: Request,
  options: { token?: string | undefined } = {},
): Promise<Response> {
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
    throw hdpError("BAD_REQUEST", `The Host "${host}" cannot be put in a URL`);
  }
  const { entries, peerKey } = await folderEntries(node, peer, url.searchParams.get("path") ?? "");
  const target = { origin: `${url.protocol}//${host}`, peerKey, token: options.token };
  return new Response(m3uPlaylist(entries, target), {
    headers: { "content-type": M3U_TYPE, "x-content-type-options": "nosniff" },
  });
}
