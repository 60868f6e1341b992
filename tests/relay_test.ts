/**
 * Relayed circuits with three real nodes on 127.0.0.1: A and C are both connected to R, not to each
 * other; A reaches C through R, a circuit per request, end-to-end encrypted.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Toward } from "../src/relay/mod.ts";
import { firstPage, readCall } from "../src/rpc/mod.ts";
import type { PeerConnection } from "../src/transport/mod.ts";
import { HdpError } from "../src/wire/mod.ts";
import { indexed, type TestNode, testNode } from "./helpers/nodes.ts";

const BIG = 4 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Connects `end` to `relay` (the end adds the relay: a friend of the end). */
async function join(end: TestNode, relay: TestNode): Promise<void> {
  const peer = await end.node.connect(relay.node.info().announceAddress);
  assert.equal(peer.status, "connected");
}

function key(test: TestNode): string {
  return test.node.info().publicKey;
}

/** Reads a whole file over `connection`; what came before a failure is kept in `got`. */
async function readWhole(connection: PeerConnection, path: string, got: Uint8Array[] = []) {
  const read = await readCall(connection, { path });
  for await (const chunk of read.body) got.push(chunk.slice());
  return concat(got);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function coded(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HdpError, String(error));
    return error.code;
  }
  return "none";
}

Deno.test("A lists and reads a 4 MiB file of C through R, unchanged", async () => {
  const big = new Uint8Array(randomBytes(BIG));
  await using r = await testNode();
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "big.bin": big, "note.txt": "hi" }, { unlisted: true });
  await indexed(c.node);
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  assert.equal(toC.path?.via, "relayed");
  assert.equal(toC.path?.relay, r.node.info().name);
  const page = await firstPage(toC, { path: "share" });
  assert.deepEqual(page.entries.map((e) => [e.name, e.size]), [
    ["share/big.bin", BIG],
    ["share/note.txt", 2],
  ]);
  const bytes = await readWhole(toC, "share/big.bin");
  assert.equal(bytes.length, BIG);
  assert.equal(sha256(bytes), sha256(big));
  // both ends list the other as connected, relayed via R
  const cAtA = a.node.peers().find((p) => p.keyHex === key(c));
  assert.equal(cAtA?.status, "connected");
  assert.deepEqual(cAtA.path, { family: "IPv4", via: "relayed", relay: r.node.info().name });
  const aAtC = c.node.peers().find((p) => p.keyHex === key(a));
  assert.equal(aAtC?.status, "connected");
  assert.equal(aAtC.path?.via, "relayed");
});

Deno.test("a relay with relaying off answers FORBIDDEN", async () => {
  await using r = await testNode({}, { relay: false });
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "x.txt": "x" }, { unlisted: true });
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  assert.equal(await coded(firstPage(toC, { path: "" })), "FORBIDDEN");
});

Deno.test("--relay-rate caps what a relay copies, and its info says whom it relays", async () => {
  const size = 2 * 1024 * 1024;
  const file = new Uint8Array(randomBytes(size));
  await using r = await testNode({}, { relayRate: 1_000_000 });
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "two.bin": file }, { unlisted: true });
  await indexed(c.node);
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  const began = performance.now();
  const read = await readCall(toC, { path: "share/two.bin" });
  const got: Uint8Array[] = [];
  let status;
  for await (const chunk of read.body) {
    got.push(chunk.slice());
    status ??= r.node.info().relay; // while the circuit runs
  }
  const seconds = (performance.now() - began) / 1000;
  assert.equal(sha256(concat(got)), sha256(file));
  // 2 MiB at 1 MB/s (less the bucket's first burst) cannot take less than 1.5 s
  assert.ok(seconds >= 1.5, `2 MiB went through a 1 MB/s relay in ${seconds.toFixed(2)} s`);
  assert.equal(status?.rate, 1_000_000);
  assert.deepEqual(status?.pairs.map((p) => [p.from.name, p.to.name, p.circuits]), [
    [a.node.info().name, c.node.info().name, 1],
  ]);
  assert.ok(r.node.info().relay!.relayedBytes >= size);
});

Deno.test("a relay that is not connected to the peer answers NOT_FOUND", async () => {
  await using r = await testNode();
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({}, { unlisted: true });
  await join(a, r);
  const toC = a.node.throughRelay(key(r), key(c));
  assert.equal(await coded(firstPage(toC, { path: "" })), "NOT_FOUND");
  assert.equal(toC.isClosed, true, "a relay that lost the peer ends the relayed connection");
});

Deno.test("a relay that flips a byte makes the read fail with PROTOCOL, and no wrong byte comes out", async () => {
  const big = new Uint8Array(randomBytes(BIG));
  let passed = 0;
  const flipAt = 1024 * 1024;
  const tap = (chunk: Uint8Array, toward: Toward): Uint8Array => {
    if (toward !== "a") return chunk;
    const start = passed;
    passed += chunk.length;
    if (flipAt < start || flipAt >= passed) return chunk;
    const changed = chunk.slice();
    changed[flipAt - start]! ^= 0x01;
    return changed;
  };
  await using r = await testNode({}, { relayTap: tap });
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "big.bin": big }, { unlisted: true });
  await indexed(c.node);
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  const got: Uint8Array[] = [];
  assert.equal(await coded(readWhole(toC, "share/big.bin", got)), "PROTOCOL");
  const prefix = concat(got);
  assert.ok(prefix.length < BIG);
  assert.deepEqual(prefix, big.subarray(0, prefix.length));
});

Deno.test("C that does not take A gives FORBIDDEN", async () => {
  await using r = await testNode();
  await using a = await testNode({}, { unlisted: true });
  // only friends may reach C: R is one (C added it), A is not
  await using c = await testNode({ "x.txt": "x" }, { unlisted: true, accept: "friends" });
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  assert.equal(await coded(firstPage(toC, { path: "" })), "FORBIDDEN");
});

Deno.test("C that blocked A gives FORBIDDEN through R", async () => {
  await using r = await testNode();
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "x.txt": "x" }, { unlisted: true });
  await join(a, c); // C knows A from a direct connection, then blocks it
  c.node.setPeerStanding(a.node.info().name, "blocked");
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  assert.equal(await coded(firstPage(toC, { path: "" })), "FORBIDDEN");
});

Deno.test("closing R's connection to C ends the circuits through it", async () => {
  const big = new Uint8Array(randomBytes(BIG));
  await using r = await testNode();
  await using a = await testNode({}, { unlisted: true });
  await using c = await testNode({ "big.bin": big }, { unlisted: true });
  await indexed(c.node);
  await join(a, r);
  await join(c, r);
  const toC = a.node.throughRelay(key(r), key(c));
  const read = await readCall(toC, { path: "share/big.bin" });
  const first = await read.body.next();
  assert.equal(first.done, false);
  r.node.setPeerStanding(c.node.info().name, "blocked");
  const rest = (async () => {
    for await (const _ of read.body) { /* drain until the circuit ends */ }
  })();
  assert.notEqual(await coded(rest), "none");
  assert.equal(await coded(firstPage(toC, { path: "" })), "NOT_FOUND");
});
