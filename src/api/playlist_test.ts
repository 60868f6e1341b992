import assert from "node:assert/strict";
import type { HdpNode, PeerLsPage } from "../node/mod.ts";
import { hdpError, type LsEntry, type LsQuery } from "../wire/mod.ts";
import { fakeNode, GUARD } from "./_fake_node.ts";
import { createApp } from "./app.ts";
import type { GuardOptions } from "./guard.ts";
import { isPlayable, m3uPlaylist, MAX_PLAYLIST_PAGES } from "./playlist.ts";

const BOB = { keyHex: "ab".repeat(32), name: "Bob" };
const TOKEN = "s3cret-token-0123456789abcdef0123";

function file(name: string): LsEntry {
  return { name, size: 1000, isDir: false, mtime: 1 };
}

/** A peer whose folder `Music/Jazz` is listed in pages of two, and the queries it was asked. */
function pagedPeer(entries: LsEntry[]): { peerLs: HdpNode["peerLs"]; queries: LsQuery[] } {
  const queries: LsQuery[] = [];
  const peerLs = (_peer: string, query: LsQuery): Promise<PeerLsPage> => {
    queries.push(query);
    const at = Number(query.cursor ?? 0);
    const page: PeerLsPage = { entries: entries.slice(at, at + 2), partial: false, peer: BOB };
    if (at + 2 < entries.length) page.cursor = String(at + 2);
    return Promise.resolve(page);
  };
  return { peerLs, queries };
}

const FOLDER = [
  file("Music/Jazz/b.flac"),
  { name: "Music/Jazz/Live", size: 9000, isDir: true, mtime: 1 },
  file("Music/Jazz/cover.jpg"),
  file("Music/Jazz/a song.mp3"),
  file("Music/Jazz/notes.txt"),
  file("Music/Jazz/clip.mkv"),
];

Deno.test("a playlist holds the folder's audio and video files, in name order, as stream URLs", async () => {
  const peer = pagedPeer(FOLDER);
  const app = createApp(fakeNode({ peerLs: peer.peerLs }), GUARD);
  const response = await app.request(
    "http://127.0.0.1:3030/api/peers/Bob/playlist.m3u?path=Music%2FJazz",
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "audio/x-mpegurl; charset=utf-8");
  const read = `http://127.0.0.1:3030/api/peers/${BOB.keyHex}/read?path=`;
  assert.equal(
    await response.text(),
    [
      "#EXTM3U",
      "#EXTINF:-1,a song.mp3",
      `${read}Music%2FJazz%2Fa+song.mp3`,
      "#EXTINF:-1,b.flac",
      `${read}Music%2FJazz%2Fb.flac`,
      "#EXTINF:-1,clip.mkv",
      `${read}Music%2FJazz%2Fclip.mkv`,
      "",
    ].join("\n"),
  );
  assert.deepEqual(
    peer.queries.map((q) => [q.path, q.cursor, q.recursive]),
    [["Music/Jazz", undefined, undefined], ["Music/Jazz", "2", undefined], [
      "Music/Jazz",
      "4",
      undefined,
    ]],
    "one level only, page after page",
  );
});

Deno.test("when the API needs a token, every stream URL of a playlist carries it", async () => {
  const guard: GuardOptions = { bound: { hostname: "0.0.0.0", port: 3030 }, token: TOKEN };
  const app = createApp(fakeNode({ peerLs: pagedPeer(FOLDER).peerLs }), guard);
  const response = await app.request(
    `http://nas.lan:3030/api/peers/Bob/playlist.m3u?path=Music%2FJazz&token=${TOKEN}`,
  );
  assert.equal(response.status, 200);
  const urls = (await response.text()).split("\n").filter((line) => line.startsWith("http"));
  assert.equal(urls.length, 3);
  for (const url of urls) {
    assert.ok(url.startsWith("http://nas.lan:3030/api/peers/"), url);
    assert.equal(new URL(url).searchParams.get("token"), TOKEN, url);
  }
  const refused = await app.request("http://nas.lan:3030/api/peers/Bob/playlist.m3u?path=Music");
  assert.equal(refused.status, 401, "the playlist itself needs the token");
});

Deno.test("a stream URL with the token in the query string is let through the guard", async () => {
  const guard: GuardOptions = { bound: { hostname: "0.0.0.0", port: 3030 }, token: TOKEN };
  const seen: string[] = [];
  const app = createApp(
    fakeNode({
      peerRead: (_peer, request) => {
        seen.push(request.path);
        return Promise.reject(hdpError("NOT_FOUND", "No such file"));
      },
    }),
    guard,
  );
  const url = `http://nas.lan:3030/api/peers/${BOB.keyHex}/read?path=Music%2Fa.mp3`;
  assert.equal((await app.request(url)).status, 401);
  assert.equal((await app.request(`${url}&token=wrong`)).status, 401);
  assert.equal((await app.request(`${url}&token=${TOKEN}`)).status, 404);
  assert.deepEqual(seen, ["Music/a.mp3"]);
});

Deno.test("a peer answering cursor after cursor ends the playlist after a bounded number of pages", async () => {
  let pages = 0;
  const endless = (_peer: string, query: LsQuery): Promise<PeerLsPage> => {
    pages++;
    const cursor = String(Number(query.cursor ?? 0) + 1);
    return Promise.resolve({
      entries: [file(`M/${cursor}.mp3`)],
      cursor,
      partial: false,
      peer: BOB,
    });
  };
  const app = createApp(fakeNode({ peerLs: endless }), GUARD);
  const response = await app.request("http://127.0.0.1:3030/api/peers/Bob/playlist.m3u?path=M");
  assert.equal(response.status, 200);
  assert.equal(pages, MAX_PLAYLIST_PAGES);
  const urls = (await response.text()).split("\n").filter((line) => line.startsWith("http"));
  assert.equal(urls.length, MAX_PLAYLIST_PAGES);
});

Deno.test("a title cannot break the playlist's lines, and folders and documents are left out", () => {
  const text = m3uPlaylist([file("M/a\nb.ogg"), file("M/x.pdf")], {
    origin: "http://127.0.0.1:3030",
    peerKey: BOB.keyHex,
  });
  assert.deepEqual(text.split("\n"), [
    "#EXTM3U",
    "#EXTINF:-1,a b.ogg",
    `http://127.0.0.1:3030/api/peers/${BOB.keyHex}/read?path=M%2Fa%0Ab.ogg`,
    "",
  ]);
  assert.equal(isPlayable({ name: "M/Live.mp4", size: 1, isDir: true, mtime: 1 }), false);
  assert.equal(isPlayable(file("M/film.webm")), true);
  assert.equal(isPlayable(file("M/photo.png")), false);
});
