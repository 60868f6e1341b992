import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { ALPN, encodeFrame, FrameReader, PROTOCOL_VERSION } from "../src/wire/mod.ts";
import {
  generateIdentity,
  type Identity,
  type PeerConnection,
  type PeerInfo,
  Peers,
  PeerStore,
  proofPayload,
  QuicTransport,
  SERVER_NAME,
  trustAnchorFor,
} from "../src/transport/mod.ts";
import { News, when, within } from "./helpers/events.ts";

async function node(identity?: Identity) {
  const id = identity ?? await generateIdentity();
  const inbound: PeerConnection[] = [];
  const arrived = Promise.withResolvers<PeerConnection>();
  const transport = await QuicTransport.open(id, {
    hostname: "127.0.0.1",
    port: 0,
    handshakeTimeoutMs: 2000,
    onConnection: (c) => {
      inbound.push(c);
      arrived.resolve(c);
    },
  });
  return {
    id,
    transport,
    inbound,
    arrived: arrived.promise,
    [Symbol.dispose]: () => transport.close(),
  };
}

Deno.test("two nodes authenticate each other both ways over one QUIC connection", async () => {
  await using a = await node();
  await using b = await node();
  const out = await a.transport.dial("127.0.0.1", b.transport.port, b.id.publicKey);
  const inb = await b.arrived;
  assert.equal(out.peerKeyHex, b.id.publicKeyHex);
  assert.equal(inb.peerKeyHex, a.id.publicKeyHex, "the listener learned the dialer's key");
  assert.equal(inb.remote.port, a.transport.port, "dialed from the listening socket");
  assert.deepEqual(out.observed, { ip: "127.0.0.1", port: a.transport.port });

  // a request stream in each direction
  const s1 = await out.openStream();
  const w1 = s1.writable.getWriter();
  await w1.write(new TextEncoder().encode("ping"));
  await w1.close();
  const { value: r1 } = await inb.incoming.read();
  assert.equal(new TextDecoder().decode((await Array.fromAsync(r1!.readable))[0]), "ping");
  const s2 = await inb.openStream();
  const w2 = s2.writable.getWriter();
  await w2.write(new TextEncoder().encode("pong"));
  await w2.close();
  const { value: r2 } = await out.incoming.read();
  assert.equal(new TextDecoder().decode((await Array.fromAsync(r2!.readable))[0]), "pong");
});

Deno.test("a listener with another key is refused with UNAUTHORIZED", async () => {
  await using a = await node();
  await using b = await node();
  const stranger = await generateIdentity();
  await assert.rejects(
    a.transport.dial("127.0.0.1", b.transport.port, stranger.publicKey),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "UNAUTHORIZED");
      assert.match(error.message, /does not hold the expected key/);
      return true;
    },
  );
  // and the listener keeps serving others
  await a.transport.dial("127.0.0.1", b.transport.port, b.id.publicKey);
});

Deno.test("Deno's trust anchor accepts a certificate the expected key signed for another key", async () => {
  // PROTOCOL.md: webpki checks the expected key's signature, not the certificate's key
  const expected = await generateIdentity();
  const holder = await generateIdentity();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: `CN=${holder.publicKeyHex}`,
    issuer: `CN=${expected.publicKeyHex}`,
    notBefore: new Date("2000-01-01T00:00:00Z"),
    notAfter: new Date("9999-12-31T23:59:59Z"),
    signingAlgorithm: { name: "Ed25519" },
    publicKey: await crypto.subtle.importKey(
      "raw",
      holder.publicKey as BufferSource,
      "Ed25519",
      true,
      ["verify"],
    ),
    signingKey: expected.privateKey,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: SERVER_NAME }])],
  });
  const key = `-----BEGIN PRIVATE KEY-----\n${
    btoa(String.fromCharCode(...holder.pkcs8))
  }\n-----END PRIVATE KEY-----\n`;
  const endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1", port: 0 });
  const listener = endpoint.listen({ cert: cert.toString("pem"), key, alpnProtocols: [ALPN] });
  const accepted = (async () => {
    for await (const incoming of listener) return await incoming.accept();
  })();
  try {
    const conn = await Deno.connectQuic<false>({
      hostname: "127.0.0.1",
      port: endpoint.addr.port,
      serverName: SERVER_NAME,
      alpnProtocols: [ALPN],
      caCerts: [await trustAnchorFor(expected.publicKey)],
    });
    conn.close({ closeCode: 0, reason: "done" });
    (await accepted)?.close({ closeCode: 0, reason: "done" });
  } finally {
    endpoint.close();
  }
});

/** A raw QUIC connection that passes TLS (it knows the listener's key) but not the handshake. */
async function rawDial(to: { id: Identity; transport: QuicTransport }) {
  return await Deno.connectQuic<false>({
    hostname: "127.0.0.1",
    port: to.transport.port,
    serverName: SERVER_NAME,
    alpnProtocols: [ALPN],
    caCerts: [await trustAnchorFor(to.id.publicKey)],
  });
}

Deno.test("a request before the handshake is refused and the connection closed", async () => {
  await using b = await node();
  const conn = await rawDial(b);
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(encodeFrame({ type: "ls", v: PROTOCOL_VERSION, path: "" }));
  const answer = await new FrameReader(stream.readable).readFrame() as {
    type: string;
    code: string;
  };
  assert.equal(answer.type, "error");
  assert.equal(answer.code, "UNAUTHORIZED");
  const closed = await conn.closed;
  assert.equal(closed.closeCode, 0x101);
  assert.equal(b.inbound.length, 0);
});

Deno.test("a replayed or relayed signature is refused", async () => {
  await using b = await node();
  await using c = await node(); // a third peer the attacker would relay to
  const victim = await generateIdentity();
  // The attacker claims the victim's key and offers signatures the victim made for other contexts.
  const relayedFor = async (
    to: { id: Identity; transport: QuicTransport },
    sign: (nonce: Uint8Array) => Promise<Uint8Array>,
  ) => {
    const conn = await rawDial(to);
    const stream = await conn.createBidirectionalStream();
    const writer = stream.writable.getWriter();
    const reader = new FrameReader(stream.readable);
    await writer.write(encodeFrame({ type: "hello", v: PROTOCOL_VERSION, key: victim.publicKey }));
    const challenge = await reader.readFrame() as { nonce: Uint8Array };
    await writer.write(
      encodeFrame({ type: "proof", signature: await sign(new Uint8Array(challenge.nonce)) }),
    );
    const answer = await reader.readFrame() as { type: string; code?: string };
    return { answer, closed: await conn.closed };
  };
  // replay: a signature over an old nonce
  const old = crypto.getRandomValues(new Uint8Array(32));
  const replay = await relayedFor(
    b,
    () => victim.sign(proofPayload(old, b.id.publicKey, victim.publicKey)),
  );
  assert.equal(replay.answer.code, "UNAUTHORIZED");
  assert.equal(replay.closed.closeCode, 0x101);
  // relay: the victim signed this very nonce, but for a connection to C, not to B
  const relay = await relayedFor(
    b,
    (nonce) => victim.sign(proofPayload(nonce, c.id.publicKey, victim.publicKey)),
  );
  assert.equal(relay.answer.code, "UNAUTHORIZED");
  assert.equal(b.inbound.length, 0);
});

Deno.test("dialing a port where nobody listens times out with a coded error", async () => {
  await using a = await node();
  const quiet = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const started = Date.now();
    await assert.rejects(
      a.transport.dial("127.0.0.1", (quiet.addr as Deno.NetAddr).port, a.id.publicKey, 500),
      { code: "TIMEOUT" },
    );
    assert.ok(Date.now() - started < 3000);
  } finally {
    quiet.close();
  }
});

/** One side of a pair: a transport, its peers, every connection it served and every change. */
async function peerSide() {
  const id = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  const served: PeerConnection[] = [];
  const changes: PeerInfo[] = [];
  const news = new News();
  const transport = await QuicTransport.open(id, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) => peers.accept(connection),
  });
  const peers: Peers = new Peers(
    id.publicKeyHex,
    (ip, port, key) => transport.dial(ip, port, key),
    new PeerStore(kv),
    {
      onConnection: (connection) => (served.push(connection), news.emit()),
      onChange: (info) => (changes.push(info), news.emit()),
    },
  );
  return {
    id,
    transport,
    peers,
    served,
    changes,
    news,
    async [Symbol.asyncDispose]() {
      peers.close();
      await transport.close();
      kv.close();
    },
  };
}

Deno.test("when both peers dial at once, both keep the same connection and retiring the other disconnects nobody", async () => {
  await using a = await peerSide();
  await using b = await peerSide();
  // Both dials start before either lands: otherwise the later side finds the connection made.
  const bothDialing = Promise.withResolvers<void>();
  let dialing = 0;
  const dial = (from: typeof a, to: typeof b) => async () => {
    if (++dialing === 2) bothDialing.resolve();
    await bothDialing.promise;
    return await from.transport.dial("127.0.0.1", to.transport.port, to.id.publicKey);
  };
  const address = (side: typeof a) => ({ ip: "127.0.0.1", port: side.transport.port });
  await Promise.all([
    a.peers.connect(b.id.publicKey, address(b), { dial: dial(a, b) }),
    b.peers.connect(a.id.publicKey, address(a), { dial: dial(b, a) }),
  ]);
  const kept = (side: typeof a, other: typeof b) => side.peers.connection(other.id.publicKeyHex);
  for (const [side, other] of [[a, b], [b, a]] as const) {
    // each side serves both connections until one is retired: its own dial and the other's
    await when(side.news, () => side.served.length === 2, { what: "two connections served" });
    const retired = await within(
      Promise.race(side.served.map((c) => c.closed.then(() => c))),
      { what: "the duplicate connection to be retired" },
    );
    assert.notEqual(retired, kept(side, other), "the retired one is not the one kept");
  }
  const [ab, ba] = [kept(a, b), kept(b, a)];
  assert.ok(ab && ba, "each side still has a connection");
  assert.notEqual(ab.direction, ba.direction, "both kept the same one, from either end");
  for (const side of [a, b]) {
    assert.deepEqual(side.peers.list().map((p) => p.status), ["connected"]);
    const lost = side.changes.filter((c) => c.status !== "connecting" && c.status !== "connected");
    assert.deepEqual(lost, [], "nobody was disconnected");
  }
  // and the kept connection carries requests
  const stream = await ab.openStream();
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode("still here"));
  await writer.close();
  const { value: arrived } = await ba.incoming.read();
  assert.equal(
    new TextDecoder().decode((await Array.fromAsync(arrived!.readable))[0]),
    "still here",
  );
});
