import assert from "node:assert/strict";
import type { HdpNode, PeerLsPage } from "../node/mod.ts";
import { hdpError, type LsQuery } from "../wire/mod.ts";
import type { PeerInfo, PeerStatus } from "../transport/mod.ts";
import { fakeNode, GUARD } from "./_fake_node.ts";
import { createApp } from "./app.ts";
import { createClient } from "./client.ts";
import { MAX_SEARCH_ENTRIES, searchEach, searchPeers } from "./search.ts";

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

Deno.test("a search refuses a missing term or one without a word, a cursor without its peer and a bad limit", async () => {
  for (const query of ["", "q=%20", "q=%2A%2A%2A", "q=a&cursor=c1", "q=a&limit=ten"]) {
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

/** A node whose peers answer after `delays` ms (Infinity: never; a string: fails with it). */
function slowNode(delays: Record<string, number | string>): HdpNode & { asked: LsQuery[] } {
  const asked: LsQuery[] = [];
  const peers = Object.keys(delays).map((name) => peer(name));
  const node = fakeNode({
    peers: () => peers,
    peerLs: (keyHex, query) => {
      asked.push(query);
      const found = peers.find((p) => p.keyHex === keyHex)!;
      const delay = delays[found.name]!;
      if (typeof delay === "string") return Promise.reject(hdpError("FORBIDDEN", delay));
      const page: PeerLsPage = {
        peer: { keyHex, name: found.name },
        entries: [{ ...SUNSET, name: `${found.name}/sunset.png` }],
        partial: false,
      };
      if (delay === Infinity) return new Promise(() => {});
      return new Promise((resolve) => setTimeout(() => resolve(page), delay));
    },
  });
  return Object.assign(node, { asked });
}

Deno.test("a streamed search gives each peer's result as it answers; a silent peer times out", async () => {
  const node = slowNode({ Ada: 60, Bob: "Not yours", Cid: Infinity, Dee: 0 });
  const run = searchEach(node, { term: "sunset" }, { peerTimeoutMs: 150 });
  assert.deepEqual(run.asked.map((p) => p.name), ["Ada", "Bob", "Cid", "Dee"]);
  const seen: string[] = [];
  for await (const result of run.results) {
    seen.push(`${result.peer.name} ${result.error?.code ?? result.entries.length}`);
  }
  assert.deepEqual(seen, ["Bob FORBIDDEN", "Dee 1", "Ada 1", "Cid TIMEOUT"]);
  // the whole answer keeps the order of the peers
  const whole = await searchPeers(node, { term: "sunset" }, { peerTimeoutMs: 150 });
  assert.deepEqual(whole.results.map((r) => r.peer.name), ["Ada", "Bob", "Cid", "Dee"]);
  assert.match(whole.results[2]!.error!.message, /Cid did not answer the search within 0.15 s/);
});

Deno.test("the search stream over HTTP: lines as peers answer, then its end; the client reads them", async () => {
  const node = slowNode({ Ada: 30, Dee: 0 });
  const app = createApp(node, GUARD);
  const response = await app.request("http://127.0.0.1:3030/api/search?q=sunset&stream=1");
  assert.equal(response.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
  const lines = (await response.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type === "end" ? `end ${l.asked}` : l.result.peer.name), [
    "Dee",
    "Ada",
    "end 2",
  ]);
  const client = createClient("http://127.0.0.1:3030", {
    fetch: (input, init) => Promise.resolve(app.request(String(input), init)),
  });
  const names = [];
  for await (const result of client.searchStream("sunset")) names.push(result.peer.name);
  assert.deepEqual(names, ["Dee", "Ada"]);
  // one peer's error is the answer's, with its status, before any line
  await assert.rejects(
    Array.fromAsync(
      createClient("http://127.0.0.1:3030", {
        fetch: (input, init) =>
          Promise.resolve(createApp(searchNode(), GUARD).request(String(input), init)),
      }).searchStream("sunset", { peer: "Bob" }),
    ),
    { code: "TIMEOUT" },
  );
});

Deno.test("a search stream cut short is an error, not a shorter answer", async () => {
  const cut = createClient("http://127.0.0.1:3030", {
    fetch: () =>
      Promise.resolve(
        new Response(
          `${
            JSON.stringify({ type: "result", result: { peer: ADA, entries: [], partial: false } })
          }\n`,
          { headers: { "content-type": "application/x-ndjson" } },
        ),
      ),
  });
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const result of cut.searchStream("x")) seen.push(result.peer.name);
  }, { code: "UNAVAILABLE" });
  assert.deepEqual(seen, ["Ada"]);
});

Deno.test("with many peers each is asked for fewer results, so one search stays bounded", async () => {
  const names = Array.from({ length: 40 }, (_, i) => `P${i}`);
  const node = slowNode(Object.fromEntries(names.map((n) => [n, 0])));
  const share = Math.floor(MAX_SEARCH_ENTRIES / 40);
  await searchPeers(node, { term: "x", limit: 5000 });
  assert.ok(node.asked.every((q) => q.limit === share), JSON.stringify(node.asked[0]));
  node.asked.length = 0;
  await searchPeers(node, { term: "x" }); // the peers' default page (500) is above the share
  assert.ok(node.asked.every((q) => q.limit === share));
  node.asked.length = 0;
  await searchPeers(node, { term: "x", limit: 20 });
  assert.ok(node.asked.every((q) => q.limit === 20));
});

Deno.test("a daemon from before streamed searches answers whole, and the stream reads that too", async () => {
  const old = createClient("http://127.0.0.1:3030", {
    fetch: () =>
      Promise.resolve(Response.json({ results: [{ peer: ADA, entries: [], partial: false }] })),
  });
  const names = [];
  for await (const result of old.searchStream("x")) names.push(result.peer.name);
  assert.deepEqual(names, ["Ada"]);
});
