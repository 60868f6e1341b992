import assert from "node:assert/strict";
import { encodeAnnounceAddress, signAnnouncement } from "../src/discovery/mod.ts";
import { announceCall } from "../src/rpc/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { peerStanding, peerStatus } from "./helpers/events.ts";
import { testNode } from "./helpers/nodes.ts";

Deno.test("peers learn of each other by gossip and connect by themselves", async () => {
  await using a = await testNode();
  await using b = await testNode();
  await using c = await testNode();
  await b.node.connect(a.node.info().announceAddress);
  await c.node.connect(a.node.info().announceAddress);
  const keyB = b.node.info().publicKey;
  const keyC = c.node.info().publicKey;
  // A introduces only its friends to each other: it accepts both requests
  for (const key of [keyB, keyC]) {
    await peerStanding(a.node, key, "requested");
    a.node.setPeerStanding(key, "friend");
  }
  await peerStatus(b.node, keyC, "connected", {
    what: "B to connect to C, which it only heard of from A",
  });
  await peerStatus(c.node, keyB, "connected", { what: "C to see B" });
  assert.equal(b.node.peers().find((p) => p.keyHex === keyC)?.source, "gossip");
  const page = await b.node.peerLs(c.node.info().name, { path: "" });
  assert.deepEqual(page.entries.map((e) => e.name), ["share"]);
});

Deno.test("a false announcement for somebody else's key is refused and not dialled", async () => {
  await using victim = await testNode();
  const mallory = await generateIdentity();
  const transport = await QuicTransport.open(mallory, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  const carol = await generateIdentity();
  const carolTransport = await QuicTransport.open(carol, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  try {
    const info = victim.node.info();
    const connection = await transport.dial("127.0.0.1", info.port, fromHex(info.publicKey)!);
    const someone = await generateIdentity();
    // an address claiming to be `someone`, at Mallory's port, signed by Mallory
    const forged = encodeAnnounceAddress({
      publicKey: someone.publicKey,
      ip: "127.0.0.1",
      port: transport.port,
      natType: "none",
    });
    const time = Date.now();
    const ownAddress = encodeAnnounceAddress({
      publicKey: mallory.publicKey,
      ip: "127.0.0.1",
      port: transport.port,
      natType: "none",
    });
    const signature = await signAnnouncement(mallory, ownAddress, time);
    await assert.rejects(announceCall(connection, { address: forged, time, signature }), {
      code: "UNAUTHORIZED",
      message: /not signed by the peer it describes/,
    });
    await assert.rejects(announceCall(connection, { address: forged }), {
      code: "UNAUTHORIZED",
      message: /Unsigned/,
    });
    const stale = await signAnnouncement(someone, forged, time - 48 * 3600_000);
    await assert.rejects(
      announceCall(connection, { address: forged, time: time - 48 * 3600_000, signature: stale }),
      { code: "UNAUTHORIZED", message: /it is .* old/ },
    );
    // A refusal is decided before the answer, and a dial would start before it too: the answers
    // above are the moment. That the victim does dial what it may is shown by a true
    // announcement (answered at once; the dial follows).
    const carolAddress = encodeAnnounceAddress({
      publicKey: carol.publicKey,
      ip: "127.0.0.1",
      port: carolTransport.port,
      natType: "none",
    });
    await announceCall(connection, {
      address: carolAddress,
      time,
      signature: await signAnnouncement(carol, carolAddress, time),
    });
    const dialled = await peerStatus(victim.node, carol.publicKeyHex, "connected", {
      what: "Carol to be dialled",
    });
    assert.equal(dialled.source, "gossip");
    const peers = new Map(victim.node.peers().map((p) => [p.keyHex, p]));
    assert.equal(peers.has(someone.publicKeyHex), false, "the forged key was not");
    assert.equal(connection.isClosed, false, "the connection survives a refused announcement");
  } finally {
    await transport.close();
    await carolTransport.close();
  }
});
