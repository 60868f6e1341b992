/**
 * Who sees what, with real nodes: a friends-only share is invisible to a peer that is not a friend
 * whatever it asks, an audience change stops an upload under way, blocking shuts a peer out, and
 * standings and audiences survive restarts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lsCall, readCall, readManyCall } from "../src/rpc/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { type HdpError, toHdpError } from "../src/wire/mod.ts";
import { downloadState, peerStanding, peerStatus, when } from "./helpers/events.ts";
import { indexed, testNode } from "./helpers/nodes.ts";

const SECRET = "the diary of a private person";

/** The coded error a call fails with. */
async function failure(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (error) {
    const { code, message } = toHdpError(error) as HdpError;
    return { code, message };
  }
  throw new Error("the call did not fail");
}

Deno.test("a peer that is not a friend cannot list, search, read or ReadMany a friends-only share, even by exact path, and is told what a missing share tells", async () => {
  await using owner = await testNode({ "song.mp3": "la la" }, {
    shareName: "Open",
    audience: "everyone",
    more: { Diary: { files: { "2026/secret.txt": SECRET }, audience: "friends" } },
  });
  await using friend = await testNode();
  await indexed(owner.node);
  await owner.node.connect(friend.node.info().announceAddress); // the owner added it: a friend
  const ownerKey = fromHex(owner.node.info().publicKey)!;

  // a stranger: any key may connect (the default --accept everyone), so it is a known peer
  const stranger = await generateIdentity();
  const transport = await QuicTransport.open(stranger, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  await using _closing = { [Symbol.asyncDispose]: () => transport.close() };
  const connection = await transport.dial("127.0.0.1", owner.node.info().port, ownerKey);
  const names = async (query: { path: string; recursive?: boolean; searchTerm?: string }) => {
    const out: string[] = [];
    for await (const page of lsCall(connection, query)) {
      out.push(...page.entries.map((e) => e.name));
    }
    return out;
  };
  assert.deepEqual(await names({ path: "" }), ["Open"]);
  assert.deepEqual(await names({ path: "", recursive: true }), ["Open/song.mp3"]);
  assert.deepEqual(await names({ path: "", searchTerm: "secret" }), []);
  assert.deepEqual(await names({ path: "", searchTerm: "2026" }), []);

  // every way in answers exactly what a share that does not exist answers
  const asMissing = (path: string) => path.replace("Diary", "Nothing");
  const same = async (ask: (path: string) => Promise<unknown>, path: string) => {
    const hidden = await failure(() => ask(path));
    const missing = await failure(() => ask(asMissing(path)));
    assert.equal(hidden.code, "NOT_FOUND", path);
    assert.deepEqual(hidden, { ...missing, message: missing.message.replace("Nothing", "Diary") });
  };
  for (const path of ["Diary", "Diary/2026", "Diary/2026/secret.txt"]) {
    await same((p) => names({ path: p }), path);
    await same((p) => names({ path: p, recursive: true }), path);
    await same((p) => names({ path: p, searchTerm: "secret" }), path);
  }
  await same((p) => readCall(connection, { path: p }), "Diary/2026/secret.txt");
  await same((p) => readCall(connection, { path: p, start: 4, end: 9 }), "Diary/2026/secret.txt");
  for (const path of ["Diary/2026/secret.txt", asMissing("Diary/2026/secret.txt")]) {
    const answers = [];
    for await (const answer of readManyCall(connection, [path, "Open/song.mp3"])) {
      answers.push(answer);
    }
    assert.ok("error" in answers[0]!, "the hidden file is refused");
    assert.equal((answers[0] as { error: HdpError }).error.code, "NOT_FOUND");
    assert.ok("data" in answers[1]!, "the open file is served");
  }

  // a friend sees both, and reads the diary
  const page = await friend.node.peerLs(owner.node.info().name, { path: "" });
  assert.deepEqual(page.entries.map((e) => e.name), ["Open", "Diary"]);
  const read = await friend.node.peerRead(owner.node.info().name, {
    path: "Diary/2026/secret.txt",
  });
  let text = "";
  for await (const chunk of read.body) text += new TextDecoder().decode(chunk);
  assert.equal(text, SECRET);
  connection.close(0, "done");
});

Deno.test("a peer that dials in by the announce address asks to be a friend; accepted, it sees friends-only shares", async () => {
  await using owner = await testNode({ "a.txt": "friends only" }, { audience: "friends" });
  await using asker = await testNode();
  await indexed(owner.node);
  const askerKey = asker.node.info().publicKey;
  await asker.node.connect(owner.node.info().announceAddress);
  await peerStanding(owner.node, askerKey, "requested");
  const before = await asker.node.peerLs(owner.node.info().name, { path: "" });
  assert.deepEqual(before.entries, [], "until accepted it sees only shares for everyone");

  owner.node.setPeerStanding(askerKey, "friend");
  const after = await asker.node.peerLs(owner.node.info().name, { path: "share", recursive: true });
  assert.deepEqual(after.entries.map((e) => e.name), ["share/a.txt"]);

  // refused after all (unfriended): hidden again at once, on the same connection
  owner.node.setPeerStanding(askerKey, "known");
  const again = await asker.node.peerLs(owner.node.info().name, { path: "" });
  assert.deepEqual(again.entries, []);
});

Deno.test("changing a share's audience in the middle of an upload stops it, and the downloader pauses the item saying why", async () => {
  await using owner = await testNode({}, { audience: "everyone" });
  const big = join(owner.shareDir, "film.mkv");
  const file = await Deno.open(big, { create: true, write: true });
  await file.truncate(1024 * 1024 * 1024); // 1 GiB of zeros, sparse: quick to make, slow to send
  file.close();
  await owner.restart(); // its start scans the share
  // the downloader dials in: to the owner a known peer, which sees the share while it is for everyone
  await using downloader = await testNode();
  await downloader.node.connect(owner.node.info().announceAddress);
  await indexed(owner.node);
  const ownerName = owner.node.info().name;
  const uploading = when(owner.node.events, () => owner.node.uploads()[0]?.state === "uploading", {
    what: "the upload to be under way",
    state: () => JSON.stringify({ up: owner.node.uploads(), down: downloader.node.downloads() }),
  });
  const item = await downloader.node.download(ownerName, "share/film.mkv");
  await uploading;
  const changed = await owner.node.setShareAudience("share", "friends");
  assert.equal(changed.audience, "friends");
  const paused = await downloadState(downloader.node, item.id, ["paused"]);
  assert.equal(paused.problem?.code, "FORBIDDEN");
  assert.match(paused.problem?.message ?? "", /no longer shares this with you/);
  await when(owner.node.events, () => owner.node.uploads().length === 0, {
    what: "the upload to leave the list",
  });
  const part = await Deno.stat(join(downloader.config.downloadDir, "film.mkv.part")).catch(() =>
    null
  );
  assert.ok(part === null || part.size < 1024 * 1024 * 1024, "the file did not arrive");
});

Deno.test("a blocked peer is disconnected, refused when it dials again, and stays blocked across a restart", async () => {
  await using owner = await testNode();
  await using pest = await testNode();
  const pestKey = pest.node.info().publicKey;
  const ownerKey = owner.node.info().publicKey;
  await pest.node.connect(owner.node.info().announceAddress);
  await peerStatus(owner.node, pestKey, "connected");
  const blocked = owner.node.setPeerStanding(pestKey, "blocked");
  assert.equal(blocked.standing, "blocked");
  assert.equal(blocked.status, "disconnected");
  const away = await peerStatus(pest.node, ownerKey, "disconnected");
  assert.match(away.problem?.message ?? "", /does not accept connections from this node/);
  // its redials are refused: pasting the address again fails
  const refused = await failure(() => pest.node.connect(owner.node.info().announceAddress));
  assert.deepEqual(refused, {
    code: "FORBIDDEN",
    message: "This node does not accept connections from you",
  });
  assert.equal(owner.node.peers().find((p) => p.keyHex === pestKey)?.status, "disconnected");

  // the block survives a restart; unblocking lets it in again
  await owner.restart();
  assert.equal(owner.node.peers().find((p) => p.keyHex === pestKey)?.standing, "blocked");
  owner.node.setPeerStanding(pestKey, "known");
  await pest.node.connect(owner.node.info().announceAddress);
  await peerStatus(owner.node, pestKey, "connected");
});

Deno.test("--accept friends keeps out every peer that is not a friend", async () => {
  await using owner = await testNode({}, { accept: "friends" });
  await using friend = await testNode();
  await using stranger = await testNode();
  await owner.node.connect(friend.node.info().announceAddress);
  assert.equal(owner.node.info().accept, "friends");
  const refused = await failure(() => stranger.node.connect(owner.node.info().announceAddress));
  assert.equal(refused.code, "FORBIDDEN");
  assert.equal(owner.node.peers().some((p) => p.keyHex === stranger.node.info().publicKey), false);
  // the friend the owner dialled is connected, and may dial back too
  await peerStatus(friend.node, owner.node.info().publicKey, "connected");
});

Deno.test("standings and audiences survive a restart", async () => {
  await using owner = await testNode({ "a.txt": "x" }, { audience: "everyone" });
  await using asker = await testNode();
  const askerKey = asker.node.info().publicKey;
  await asker.node.connect(owner.node.info().announceAddress);
  await peerStanding(owner.node, askerKey, "requested");
  await owner.node.setShareAudience("share", { peers: [asker.node.info().name] });
  await owner.restart();
  assert.equal(owner.node.peers().find((p) => p.keyHex === askerKey)?.standing, "requested");
  assert.deepEqual((await owner.node.shares())[0]?.audience, { peers: [askerKey] });
  assert.deepEqual(owner.node.info().shares[0]?.audience, { peers: [askerKey] });
  owner.node.setPeerStanding(askerKey, "friend");
  await owner.restart();
  assert.equal(owner.node.peers().find((p) => p.keyHex === askerKey)?.standing, "friend");
});
