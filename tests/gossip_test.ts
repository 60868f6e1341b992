import assert from "node:assert/strict";
import { encodeAnnounceAddress } from "../src/discovery/announce_address.ts";
import { signAnnouncement } from "../src/discovery/gossip_signature.ts";
import { announceCall } from "../src/rpc/calls.ts";
import { generateIdentity } from "../src/transport/identity.ts";
import { fromHex } from "../src/transport/names.ts";
import { QuicTransport } from "../src/transport/quic.ts";
import { testNode } from "./helpers/nodes.ts";

async function settle(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), what);
}

Deno.test("peers learn of each other by gossip and connect by themselves", async () => {
  await using a = await testNode();
  await using b = await testNode();
  await using c = await testNode();
  await b.node.connect(a.node.info().announceAddress);
  await c.node.connect(a.node.info().announceAddress);
  const keyB = b.node.info().publicKey;
  const keyC = c.node.info().publicKey;
  await settle(
    () => b.node.peers().some((p) => p.keyHex === keyC && p.status === "connected"),
    "B connected to C, which it only heard of from A",
  );
  await settle(
    () => c.node.peers().some((p) => p.keyHex === keyB && p.status === "connected"),
    "C sees B",
  );
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
    });
    await assert.rejects(
      announceCall(connection, { address: forged }),
      (error: Error & { code?: string }) => {
        assert.notEqual(error.code, undefined);
        return true;
      },
    );
    const stale = await signAnnouncement(someone, forged, time - 48 * 3600_000);
    await assert.rejects(
      announceCall(connection, { address: forged, time: time - 48 * 3600_000, signature: stale }),
      {
        code: "UNAUTHORIZED",
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(victim.node.peers().some((p) => p.keyHex === someone.publicKeyHex), false);
    assert.equal(connection.isClosed, false, "the connection survives a refused announcement");
  } finally {
    await transport.close();
  }
});
