import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { HdpNode } from "../src/node/mod.ts";
import { readManyCall } from "../src/rpc/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { MAX_READ_MANY, SMALL_FILE_BYTES } from "../src/wire/mod.ts";
import { indexed, testNode } from "./helpers/nodes.ts";

async function connect(from: HdpNode, to: HdpNode) {
  return await from.connect(to.info().announceAddress);
}

async function readAll(
  node: HdpNode,
  peer: string,
  path: string,
  range: { start?: number; end?: number } = {},
) {
  const read = await node.peerRead(peer, { path, ...range });
  const parts: Uint8Array[] = [];
  for await (const chunk of read.body) parts.push(chunk.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return { header: read.header, bytes: out };
}

Deno.test("three nodes browse, search and read each other's shares", async () => {
  const big = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
  await using a = await testNode({
    "Music/Jazz/So What.flac": big,
    "Music/readme.txt": "hello from a",
  });
  await using b = await testNode({
    "Films/Noir/The Third Man.mkv": "film",
    "Films/notes.txt": "b notes",
  });
  await using c = await testNode({ "Books/Dune.epub": "spice" });
  for (const n of [a, b, c]) await indexed(n.node);
  const ab = await connect(a.node, b.node);
  assert.equal(ab.status, "connected");
  await connect(a.node, c.node);
  await connect(b.node, c.node);
  const [nameA, nameB, nameC] = [a, b, c].map((n) => n.node.info().name);

  // browse one level, recursively, and search
  const root = await b.node.peerLs(nameA!, { path: "" });
  assert.deepEqual(root.entries.map((e) => e.name), ["share"]);
  assert.equal(root.peer.name, nameA);
  const level = await c.node.peerLs(nameA!, { path: "share/Music" });
  assert.deepEqual(level.entries.map((e) => [e.name, e.isDir]), [["share/Music/Jazz", true], [
    "share/Music/readme.txt",
    false,
  ]]);
  assert.deepEqual(level.totals, { files: 2, bytes: big.length + 12 });
  const deep = await a.node.peerLs(nameB!, { path: "share", recursive: true });
  assert.deepEqual(deep.entries.filter((e) => !e.isDir).map((e) => e.name).sort(), [
    "share/Films/Noir/The Third Man.mkv",
    "share/Films/notes.txt",
  ]);
  const found = await b.node.peerLs(nameC!, { path: "", searchTerm: "DUNE" });
  assert.deepEqual(found.entries.map((e) => e.name), ["share/Books/Dune.epub"]);
  // the inbound side can ask too, over the same connection
  const back = await b.node.peerLs(nameA!, { path: "", searchTerm: "readme" });
  assert.deepEqual(back.entries.map((e) => e.name), ["share/Music/readme.txt"]);

  // read whole files and ranges; bytes are exact
  const whole = await readAll(b.node, nameA!, "share/Music/Jazz/So What.flac");
  assert.equal(whole.header.size, big.length);
  assert.equal(
    createHash("sha256").update(whole.bytes).digest("hex"),
    createHash("sha256").update(big).digest("hex"),
  );
  const range = await readAll(c.node, nameA!, "share/Music/Jazz/So What.flac", {
    start: 1000,
    end: 1010,
  });
  assert.deepEqual(range.bytes, big.subarray(1000, 1010));
  const tail = await readAll(c.node, nameA!, "share/Music/Jazz/So What.flac", {
    start: big.length - 5,
  });
  assert.deepEqual(tail.bytes, big.subarray(big.length - 5));
  const empty = await readAll(c.node, nameB!, "share/Films/notes.txt", { start: 7 });
  assert.equal(empty.bytes.length, 0);
  assert.equal(
    new TextDecoder().decode((await readAll(a.node, nameC!, "share/Books/Dune.epub")).bytes),
    "spice",
  );
});

Deno.test("traversal and bad reads are refused with codes and the peer stays connected", async () => {
  await using a = await testNode({ "docs/a.txt": "inside" });
  await using b = await testNode();
  await Deno.writeTextFile(`${a.root}/secret.txt`, "outside");
  await Deno.symlink(`${a.root}/secret.txt`, `${a.shareDir}/escape`);
  await Deno.mkdir(`${a.root}/private`);
  await Deno.symlink(`${a.root}/private`, `${a.shareDir}/escape-dir`);
  await indexed(a.node);
  await connect(b.node, a.node);
  const peer = a.node.info().name;
  // Ls says what Read says of a way out of the share
  for (const path of ["share/escape", "share/escape-dir"]) {
    await assert.rejects(b.node.peerLs(peer, { path }), { code: "NOT_SHARED" }, path);
  }
  const cases: [string, string][] = [
    ["share/../secret.txt", "BAD_REQUEST"],
    ["../secret.txt", "BAD_REQUEST"],
    ["/etc/passwd", "BAD_REQUEST"],
    ["share/escape", "NOT_SHARED"],
    ["share/docs", "BAD_REQUEST"],
    ["share/nope.txt", "NOT_FOUND"],
    ["other/a.txt", "NOT_FOUND"],
    ["share/docs/a\u0000.txt", "BAD_REQUEST"],
  ];
  for (const [path, code] of cases) {
    await assert.rejects(b.node.peerRead(peer, { path }), { code }, path);
  }
  await assert.rejects(b.node.peerRead(peer, { path: "share/docs/a.txt", start: 100 }), {
    code: "OUT_OF_RANGE",
  });
  await assert.rejects(b.node.peerLs(peer, { path: "share/../.." }), { code: "BAD_REQUEST" });
  await assert.rejects(b.node.peerLs(peer, { path: "", cursor: "forged" }), {
    code: "BAD_REQUEST",
  });
  assert.equal(b.node.peers()[0]!.status, "connected");
  assert.equal(
    new TextDecoder().decode((await readAll(b.node, peer, "share/docs/a.txt")).bytes),
    "inside",
  );
});

Deno.test("both nodes dialing each other at once end with one connection", async () => {
  await using a = await testNode();
  await using b = await testNode();
  const [pa, pb] = await Promise.all([connect(a.node, b.node), connect(b.node, a.node)]);
  assert.equal(pa.status, "connected");
  assert.equal(pb.status, "connected");
  // The duplicate is retired 2 s after its last request, and the node tells nothing of it: that
  // this disconnects nobody is shown in transport_test.ts, where the connections can be seen.
  assert.equal(a.node.peers().length, 1);
  assert.equal(a.node.peers()[0]!.status, "connected");
  assert.equal(b.node.peers()[0]!.status, "connected");
  const page = await a.node.peerLs(b.node.info().name, { path: "" });
  assert.deepEqual(page.entries.map((e) => e.name), ["share"]);
});

Deno.test("ReadMany answers each file whole or with its own error, in order; a bad request fails whole", async () => {
  const big = new Uint8Array(randomBytes(SMALL_FILE_BYTES + 1));
  await using a = await testNode({
    "docs/a.txt": "inside",
    "docs/empty.txt": "",
    "docs/big.bin": big,
    "docs/b.txt": "second",
  });
  await Deno.writeTextFile(`${a.root}/secret.txt`, "outside");
  await Deno.symlink(`${a.root}/secret.txt`, `${a.shareDir}/escape`);
  await indexed(a.node);
  const dialer = await QuicTransport.open(await generateIdentity(), {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  try {
    const info = a.node.info();
    const connection = await dialer.dial("127.0.0.1", info.port, fromHex(info.publicKey)!);
    const paths = [
      "share/docs/a.txt",
      "share/nope.txt",
      "share/../secret.txt",
      "share/escape",
      "share/docs/empty.txt",
      "share/docs/big.bin",
      "share/docs/b.txt",
    ];
    const answers = await Array.fromAsync(readManyCall(connection, paths));
    assert.deepEqual(answers.map((a) => a.path), paths);
    const shown = answers.map((a) =>
      "error" in a ? a.error.code : `${a.header.size}:${new TextDecoder().decode(a.data)}`
    );
    assert.deepEqual(shown, [
      "6:inside",
      "NOT_FOUND",
      "BAD_REQUEST",
      "NOT_SHARED",
      "0:",
      "TOO_LARGE",
      "6:second",
    ]);
    const mtime = (await Deno.stat(`${a.shareDir}/docs/a.txt`)).mtime!.getTime();
    assert.equal("header" in answers[0]! && answers[0].header.mtime, mtime);

    const tooMany = Array.from({ length: MAX_READ_MANY + 1 }, () => "share/docs/a.txt");
    await assert.rejects(Array.fromAsync(readManyCall(connection, tooMany)), {
      code: "BAD_REQUEST",
    });
    // and the connection still serves
    const again = await Array.fromAsync(readManyCall(connection, ["share/docs/b.txt"]));
    assert.ok("data" in again[0]! && new TextDecoder().decode(again[0].data) === "second");
  } finally {
    await dialer.close();
  }
});
