/**
 * Strangers who try to wear a node down, over real QUIC on loopback: holding upload slots without
 * reading, flooding it with listings, and announcing addresses it must not dial.
 */
import assert from "node:assert/strict";
import { encodeAnnounceAddress, signAnnouncement } from "../src/discovery/mod.ts";
import { announceCall, lsCall, readCall, type ReadStream } from "../src/rpc/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { toHdpError } from "../src/wire/mod.ts";
import { indexed, testNode } from "./helpers/nodes.ts";

const MiB = 1024 * 1024;

/** A peer with a fresh key, connected to `port`; closed when disposed. */
async function stranger(port: number, key: string, hostname = "127.0.0.1") {
  const identity = await generateIdentity();
  const transport = await QuicTransport.open(identity, {
    hostname,
    port: 0,
    onConnection: () => {},
  });
  const connection = await transport.dial(hostname, port, fromHex(key)!);
  return {
    identity,
    connection,
    async [Symbol.asyncDispose]() {
      await transport.close();
    },
  };
}

/** Whether reading the rest of `read` fails (the server reset it), after at most `bytes`. */
async function endsShort(read: ReadStream): Promise<boolean> {
  let got = 0;
  try {
    for await (const chunk of read.body) got += chunk.length;
  } catch {
    return got < read.header.end - read.header.start;
  }
  return false;
}

Deno.test("a peer that takes no data loses its upload slot after the stall timeout, and the read queued behind it starts", async () => {
  await using server = await testNode({
    "held.bin": new Uint8Array(64 * MiB),
    "wanted.bin": new Uint8Array(8 * MiB).fill(7),
  }, { uploadSlots: 1 });
  await indexed(server.node);
  const { port, publicKey } = await server.node.info();
  await using hog = await stranger(port, publicKey);
  await using friend = await stranger(port, publicKey);
  const held = await readCall(hog.connection, { path: "share/held.bin" }); // and never read
  const began = performance.now();
  const positions: number[] = [];
  const wanted = await readCall(friend.connection, { path: "share/wanted.bin" }, {
    onQueued: (position) => positions.push(position),
  });
  const waited = (performance.now() - began) / 1000;
  assert.deepEqual(positions, [1], "it waited behind the hog");
  let bytes = 0;
  for await (const chunk of wanted.body) {
    assert.ok(chunk.every((b) => b === 7));
    bytes += chunk.length;
  }
  assert.equal(bytes, 8 * MiB);
  assert.ok(await endsShort(held), "the hog's read was ended");
  // the slot came free by the stall timeout, not by the hog's read ending on its own
  assert.ok(waited > 20, `started after ${waited.toFixed(1)} s`);
  console.log(`the queued read started ${waited.toFixed(1)} s after it was asked (stall 30 s)`);
});

Deno.test("an interactive read skips the upload queue, but only within its own budget", async () => {
  await using server = await testNode({
    "held.bin": new Uint8Array(64 * MiB),
    "song.flac": new Uint8Array(8 * MiB).fill(5),
  }, { uploadSlots: 1 });
  await indexed(server.node);
  const { port, publicKey } = await server.node.info();
  await using hog = await stranger(port, publicKey);
  await using listener = await stranger(port, publicKey);
  const held = await readCall(hog.connection, { path: "share/held.bin" }); // the one slot, unread
  const positions: number[] = [];
  const song = await readCall(listener.connection, { path: "share/song.flac", interactive: true }, {
    onQueued: (position) => positions.push(position),
  });
  let bytes = 0;
  for await (const chunk of song.body) bytes += chunk.length;
  assert.equal(bytes, 8 * MiB);
  assert.deepEqual(positions, [], "it did not queue behind the slot");
  // a fifth at once is over the budget of 4 per peer: BUSY, not a queue of its own
  const open = await Promise.all(
    [0, 1, 2, 3].map(() =>
      readCall(listener.connection, { path: "share/held.bin", interactive: true })
    ),
  );
  await assert.rejects(
    readCall(listener.connection, { path: "share/held.bin", interactive: true }),
    { code: "BUSY" },
  );
  for (const read of [...open, held]) await read.cancel();
});

Deno.test("a peer that took every upload slot yields one as soon as another peer waits", async () => {
  const files: Record<string, Uint8Array> = {};
  for (const name of ["a", "b", "c"]) files[`${name}.bin`] = new Uint8Array(64 * MiB);
  files["mine.bin"] = new Uint8Array(4 * MiB).fill(9);
  await using server = await testNode(files); // 3 slots
  await indexed(server.node);
  const { port, publicKey } = await server.node.info();
  await using hog = await stranger(port, publicKey);
  await using friend = await stranger(port, publicKey);
  const held = await Promise.all(
    ["a", "b", "c"].map((name) => readCall(hog.connection, { path: `share/${name}.bin` })),
  );
  const mine = await readCall(friend.connection, { path: "share/mine.bin" });
  // when the friend's read started, the hog still ran two: one was given up, no stall ended it
  // (and it started at once: the test would take the 30 s of the stall timeout otherwise)
  const uploads = await server.node.uploads();
  const hogKey = hog.identity.publicKeyHex;
  const hogs = uploads.filter((u) => u.peer.keyHex === hogKey && u.state === "uploading");
  assert.equal(hogs.length, 2, JSON.stringify(uploads.map((u) => [u.peer.name, u.state])));
  let bytes = 0;
  for await (const chunk of mine.body) bytes += chunk.length;
  assert.equal(bytes, 4 * MiB);
  const ended = await Promise.all(held.map((read) =>
    Promise.race([
      endsShort(read),
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 2000)),
    ])
  ));
  assert.equal(ended.filter((e) => e === true).length, 1, "exactly one of the hog's reads ended");
});

Deno.test("a flood of listings is answered BUSY past the budget, and the node keeps serving", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) files[`d${i % 20}/f${i}.txt`] = "x";
  await using server = await testNode(files);
  await indexed(server.node);
  const { port, publicKey } = await server.node.info();
  const peers = await Promise.all(Array.from({ length: 8 }, () => stranger(port, publicKey)));
  try {
    const outcomes = await Promise.all(
      peers.flatMap(({ connection }) =>
        Array.from({ length: 250 }, async () => {
          try {
            let entries = 0;
            for await (const page of lsCall(connection, { path: "", recursive: true })) {
              entries += page.entries.length;
            }
            return entries > 2000 ? "listed" : `short ${entries}`;
          } catch (error) {
            return toHdpError(error).code;
          }
        })
      ),
    );
    const count = (what: string) => outcomes.filter((o) => o === what).length;
    assert.ok(count("BUSY") > 0, "some were refused");
    assert.ok(count("listed") > 0, "some were served whole");
    assert.equal(count("listed") + count("BUSY"), outcomes.length, [...new Set(outcomes)].join());
    // the node and the same connections go on as before
    const again = await Array.fromAsync(lsCall(peers[0]!.connection, { path: "share" }));
    assert.ok(again.flatMap((p) => p.entries).length > 0);
    console.log(`2000 listings at once: ${count("listed")} served, ${count("BUSY")} BUSY`);
  } finally {
    for (const peer of peers) await peer[Symbol.asyncDispose]();
  }
});

Deno.test("announcements naming loopback, unspecified or private addresses from afar cause no dial; a flood causes at most 10", async () => {
  const outside = Deno.networkInterfaces().find((i) =>
    i.family === "IPv4" && !i.address.startsWith("127.")
  )?.address;
  if (!outside) {
    console.log("skipped: this host has no address but loopback to come from afar");
    return;
  }
  await using server = await testNode({}, { hostname: "0.0.0.0" });
  const { port, publicKey } = await server.node.info();
  // listeners where the dials would land: every packet sent to them is counted
  const sockets = Array.from(
    { length: 51 },
    () => Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 }),
  );
  const hits = new Map<number, number>();
  for (const socket of sockets) {
    const at = (socket.addr as Deno.NetAddr).port;
    void (async () => {
      try {
        for await (const _ of socket) hits.set(at, (hits.get(at) ?? 0) + 1);
      } catch { /* closed */ }
    })();
  }
  const portOf = (i: number) => (sockets[i]!.addr as Deno.NetAddr).port;
  await using announcer = await stranger(port, publicKey, outside);
  const announce = async (ip: string, at: number) => {
    const described = await generateIdentity();
    const address = encodeAnnounceAddress({
      publicKey: described.publicKey,
      ip,
      port: at,
      natType: "easy",
    });
    const time = Date.now();
    const signature = await signAnnouncement(described, address, time);
    await announceCall(announcer.connection, { address, time, signature });
  };
  try {
    for (const ip of ["127.0.0.1", "0.0.0.0", "10.0.0.1", "224.0.0.251", "255.255.255.255"]) {
      await announce(ip, portOf(0));
    }
    // one after the other: the ack does not wait for the dial
    for (let i = 1; i <= 50; i++) await announce(outside, portOf(i));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(hits.get(portOf(0)) ?? 0, 0, "nothing reached the local listener");
    const dialled = [...hits.keys()].length;
    assert.ok(dialled >= 1, "an address on the internet is dialled");
    assert.ok(dialled <= 10, `${dialled} addresses were dialled`);
    console.log(`50 announcements: ${dialled} dials; loopback/unspecified/private/multicast: 0`);
  } finally {
    for (const socket of sockets) socket.close();
  }
});
