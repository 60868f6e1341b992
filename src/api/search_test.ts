import assert from "node:assert/strict";
import type { HdpNode, PeerLsPage } from "../node/mod.ts";
import { hdpError, type LsQuery } from "../wire/mod.ts";
import type { PeerInfo, PeerStatus } from "../transport/mod.ts";
import { fakeNode, GUARD } from "./_fake_node.ts";
import { createApp } from "./app.ts";
import { createClient } from "./client.ts";

function peer(name: string, status: PeerStatus = "connected"): PeerInfo {
  return { keyHex: name.toLowerCase().repeat(8), name, status, standing: "known", since: 0 };
}

const ADA = peer("Ada");
const BOB = peer("Bob");
const GONE = peer("Gone", "disconnected");
const SUNSET = { name: "Party/sunset.png", size: 4, isDir: false, mtime: 1 };

/** A node with Ada (two pages of results), Bob (who fails) and Gone (not connected). */
function searchNode(): HdpNode & { asked: Array<[string, LsQuery]> } {
  const asked: Array<[string, LsQuery]> = [];
  const node = fakeNode({
    peers: () => [ADA, BOB, GONE],
    peerLs: (text, query) => {
      asked.push([text, query]);
      if (text === BOB.keyHex || text === "Bob") {
        return Promise.reject(hdpError("TIMEOUT", "Bob did not answer in time"));
      }
      const tag = { keyHex: ADA.keyHex, name: ADA.name };
      const page: PeerLsPage = query.cursor ? { peer: tag, entries: [SUNSET], partial: false } : {
        peer: tag,
        entries: [SUNSET],
        partial: true,
        cursor: "c1",
        totals: { files: 2, bytes: 8 },
      };
      return Promise.resolve(page);
    },
  });
  return Object.assign(node, { asked });
}

const request = (node: HdpNode, query: string) =>
  createApp(node, GUARD).request(`http://127.0.0.1:3030/api/search?${query}`);

Deno.test("a search asks every connected peer at once and keeps each peer's page or error apart", async () => {
  const node = searchNode();
  const response = await request(node, "q=sunset&limit=50");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    results: [
      {
        peer: { keyHex: ADA.keyHex, name: "Ada" },
        entries: [SUNSET],
        cursor: "c1",
        totals: { files: 2, bytes: 8 },
        partial: true,
      },
      {
        peer: { keyHex: BOB.keyHex, name: "Bob" },
        entries: [],
        partial: false,
        error: { code: "TIMEOUT", message: "Bob did not answer in time" },
      },
    ],
  });
  assert.deepEqual(node.asked, [
    [ADA.keyHex, { path: "", searchTerm: "sunset", limit: 50 }],
    [BOB.keyHex, { path: "", searchTerm: "sunset", limit: 50 }],
  ]);
});

Deno.test("a search of one peer continues from its cursor, and that peer's error is the answer's", async () => {
  const node = searchNode();
  const client = createClient("http://127.0.0.1:3030", {
    fetch: (input, init) => Promise.resolve(createApp(node, GUARD).request(String(input), init)),
  });
  const next = await client.search("sunset", { peer: "Ada", cursor: "c1", limit: 10 });
  assert.deepEqual(next.results, [{
    peer: { keyHex: ADA.keyHex, name: "Ada" },
    entries: [SUNSET],
    partial: false,
  }]);
  assert.deepEqual(node.asked, [["Ada", {
    path: "",
    searchTerm: "sunset",
    cursor: "c1",
    limit: 10,
  }]]);
  await assert.rejects(client.search("sunset", { peer: "Bob" }), { code: "TIMEOUT" });
});

Deno.test("a search with no peer connected answers no results", async () => {
  const response = await request(fakeNode({ peers: () => [GONE] }), "q=sunset");
  assert.deepEqual(await response.json(), { results: [] });
});

Deno.test("a search refuses a missing term, a cursor without its peer and a bad limit", async () => {
  for (const query of ["", "q=%20", "q=a&cursor=c1", "q=a&limit=ten"]) {
    const response = await request(searchNode(), query);
    assert.equal(response.status, 400, query);
    assert.equal((await response.json()).error.code, "BAD_REQUEST", query);
  }
});

Deno.test("a search narrowed by kind and size asks the peers so, and filters an old peer's answer", async () => {
  const asked: LsQuery[] = [];
  const song = { name: "Party/song.flac", size: 500, isDir: false, mtime: 1 };
  const node = fakeNode({
    peers: () => [ADA],
    peerLs: (_text, query) => {
      asked.push(query);
      // an old peer: it knows nothing of kinds and sizes, and answers everything it matched
      return Promise.resolve({
        peer: { keyHex: ADA.keyHex, name: ADA.name },
        entries: [SUNSET, song, { name: "Party", size: 504, isDir: true, mtime: 1 }],
        partial: false,
        totals: { files: 2, bytes: 504 },
      });
    },
  });
  const client = createClient("http://127.0.0.1:3030", {
    fetch: (input, init) => Promise.resolve(createApp(node, GUARD).request(String(input), init)),
  });
  const answer = await client.search("party", { kinds: ["audio"], minSize: 100 });
  assert.deepEqual(asked[0], {
    path: "",
    searchTerm: "party",
    kinds: ["audio"],
    minSize: 100,
  });
  assert.deepEqual(answer.results[0]!.entries, [song]);
  assert.equal(answer.results[0]!.totals, undefined, "the old peer's totals count other files");
  await assert.rejects(client.search("party", { minSize: 10, maxSize: 5 }), /must not be above/);
  const bad = await createApp(node, GUARD).request(
    "http://127.0.0.1:3030/api/search?q=x&kind=music",
  );
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /"kinds" must be a list/);
});
