import assert from "node:assert/strict";
import { fakeNode } from "../api/_fake_node.ts";
import { createApp, serveApi } from "../api/mod.ts";
import type { PeerLsPage } from "../node/mod.ts";
import type { PeerInfo } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";
import type { Io } from "./command.ts";
import { main } from "./mod.ts";

const ADA: PeerInfo = {
  keyHex: "a".repeat(64),
  name: "Ada",
  status: "connected",
  standing: "friend",
  since: 0,
};
const BOB: PeerInfo = {
  keyHex: "b".repeat(64),
  name: "Bob",
  status: "connected",
  standing: "friend",
  since: 0,
};
const SUNSET = { name: "Party/sunset.png", size: 2048, isDir: false, mtime: Date.UTC(2024, 4, 1) };

/** A daemon's API on a real port, its node knowing Ada (with more to come) and Bob (failing). */
function daemon(): AsyncDisposable & { address: string } {
  const node = fakeNode({
    peers: () => [ADA, BOB],
    forgetPeer: (text) =>
      text === "Ada"
        ? Promise.resolve(ADA)
        : Promise.reject(hdpError("NOT_FOUND", `No peer called "${text}"`)),
    peerLs: (text) => {
      if (text === BOB.keyHex) return Promise.reject(hdpError("TIMEOUT", "Bob did not answer"));
      const page: PeerLsPage = {
        peer: { keyHex: ADA.keyHex, name: "Ada" },
        entries: [SUNSET, { ...SUNSET, name: "Party/sunset2.png" }],
        partial: false,
        cursor: "more",
      };
      return Promise.resolve(page);
    },
  });
  const bound = { hostname: "127.0.0.1", port: 0 };
  const server = serveApi(createApp(node, { bound }), bound);
  Object.assign(bound, server.address);
  return { address: `127.0.0.1:${bound.port}`, [Symbol.asyncDispose]: () => server.close() };
}

function fakeIo(): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    env: () => undefined,
    cwd: () => "/tmp",
  };
  return io;
}

Deno.test("search --json prints each peer's matches, or its error as a message", async () => {
  await using d = daemon();
  const io = fakeIo();
  assert.equal(
    await main(["search", "sunset", "--limit", "1", "--json", "--ui-address", d.address], io),
    0,
  );
  assert.deepEqual(JSON.parse(io.out), [
    { peer: { keyHex: ADA.keyHex, name: "Ada" }, entries: [SUNSET], partial: false, more: true },
    { peer: { keyHex: BOB.keyHex, name: "Bob" }, entries: [], error: "Bob did not answer" },
  ]);
});

Deno.test("search prints one line per peer and its matches below", async () => {
  await using d = daemon();
  const io = fakeIo();
  assert.equal(await main(["search", "sunset", "--ui-address", d.address], io), 0);
  assert.equal(
    io.out,
    [
      "Ada: 2 found (more: use ls --search)",
      "  -   2.0 KiB  2024-05-01  Party/sunset.png",
      "  -   2.0 KiB  2024-05-01  Party/sunset2.png",
      "Bob: error: Bob did not answer",
      "",
    ].join("\n"),
  );
});

Deno.test("peers forget PEER forgets it; an unknown peer exits 1 with its code", async () => {
  await using d = daemon();
  const io = fakeIo();
  assert.equal(await main(["peers", "forget", "Ada", "--ui-address", d.address], io), 0);
  assert.equal(io.out, "Forgot Ada: disconnected, and not dialled again.\n");
  const unknown = fakeIo();
  assert.equal(await main(["peers", "forget", "Zed", "--ui-address", d.address], unknown), 1);
  assert.match(unknown.err, /No peer called "Zed" \[NOT_FOUND\]/);
  const missing = fakeIo();
  assert.equal(await main(["peers", "forget", "--ui-address", d.address], missing), 2);
});

Deno.test("search --kind and --min-size narrow what the peers are asked; bad ones exit 2", async () => {
  const asked: unknown[] = [];
  const node = fakeNode({
    peers: () => [ADA],
    peerLs: (_text, query) => {
      asked.push(query);
      return Promise.resolve({
        peer: { keyHex: ADA.keyHex, name: "Ada" },
        entries: [],
        partial: false,
      });
    },
  });
  const bound = { hostname: "127.0.0.1", port: 0 };
  await using _server = (() => {
    const s = serveApi(createApp(node, { bound }), bound);
    Object.assign(bound, s.address);
    return { [Symbol.asyncDispose]: () => s.close() };
  })();
  const address = ["--ui-address", `127.0.0.1:${bound.port}`];
  const io = fakeIo();
  const args = ["search", "live", "--kind", "audio,video", "--min-size", "1.5MB", ...address];
  assert.equal(await main(args, io), 0, io.err);
  assert.deepEqual(asked, [{
    path: "",
    searchTerm: "live",
    kinds: ["audio", "video"],
    minSize: 1_500_000,
    limit: 100,
  }]);
  const bad = fakeIo();
  assert.equal(await main(["search", "live", "--kind", "music", ...address], bad), 2);
  assert.match(bad.err, /"kinds" must be a list of audio, video, pictures, documents/);
  assert.equal(await main(["search", "live", "--max-size", "huge", ...address], bad), 2);
  assert.match(bad.err, /--max-size: Not a size: "huge"/);
});
