import assert from "node:assert/strict";
import { getLogLevel, setLogLevel, setLogSink } from "../log.ts";
import { hdpError } from "../wire/mod.ts";
import { generateIdentity } from "./identity.ts";
import { PeerStore } from "./peer_store.ts";
import { type Dial, type PeerInfo, Peers, type PeersOptions } from "./peers.ts";
import { CLOSE, type PeerConnection } from "./quic.ts";
import { MAX_REQUESTS } from "./standing.ts";

/** A connection that carries nothing: what Peers needs of one. */
function fakeConnection(peerKeyHex: string, direction: "inbound" | "outbound"): PeerConnection {
  const closed = Promise.withResolvers<{ code: number; reason: string }>();
  return {
    peerKey: new Uint8Array(32),
    peerKeyHex,
    direction,
    remote: { ip: "192.0.2.9", port: 4000 },
    openStream: () => Promise.reject(new Error("no streams")),
    incoming: new ReadableStream<Deno.QuicBidirectionalStream>().getReader(),
    close: (code, reason) => closed.resolve({ code, reason }),
    hold: () => () => {},
    closeWhenIdle: (code, reason) => closed.resolve({ code, reason }),
    closed: closed.promise,
    isClosed: false,
  };
}

/** Peers over a dial that always fails, counting the attempts; closed when disposed. */
async function unreachable(options: Partial<PeersOptions> = {}) {
  const own = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  let dials = 0;
  const dialed: Array<() => void> = [];
  const dial: Dial = () => {
    dials++;
    for (const wake of dialed.splice(0)) wake();
    return Promise.reject(hdpError("UNAVAILABLE", "Cannot connect to 192.0.2.9:4000: no route"));
  };
  const peers = new Peers(own.publicKeyHex, dial, new PeerStore(kv), {
    onConnection: () => {},
    backoffMs: 60_000,
    random: () => 0.5,
    ...options,
  });
  return {
    peers,
    dials: () => dials,
    /** Resolves at the next dial. */
    nextDial: () => new Promise<void>((resolve) => dialed.push(resolve)),
    [Symbol.dispose]: () => {
      peers.close();
      kv.close();
    },
  };
}

const ADDRESS = { ip: "192.0.2.9", port: 4000 };

async function failingConnect(peers: Peers): Promise<PeerInfo> {
  const key = (await generateIdentity()).publicKey;
  await assert.rejects(peers.connect(key, ADDRESS), { code: "UNAVAILABLE" });
  return peers.list()[0]!;
}

Deno.test("a peer that connects brings the pending redials of the others forward", async () => {
  using side = await unreachable({ random: () => 0, redialMinGapMs: 0 });
  const away = await failingConnect(side.peers);
  assert.ok(away.retryAt! - Date.now() > 20_000, "the redial was a minute away");
  const redialed = side.nextDial();
  const other = await generateIdentity();
  side.peers.accept(fakeConnection(other.publicKeyHex, "inbound"));
  await redialed;
  assert.equal(side.dials(), 2);
});

Deno.test("redialSoon leaves a peer that was tried moments ago", async () => {
  using side = await unreachable({ random: () => 0 });
  const before = (await failingConnect(side.peers)).retryAt;
  side.peers.redialSoon();
  assert.equal(side.peers.list()[0]!.retryAt, before);
});

Deno.test("a peer with downloads waiting is redialled within seconds, not minutes", async () => {
  using side = await unreachable({ wanted: () => true, random: () => 0.999 });
  const info = await failingConnect(side.peers);
  const wait = info.retryAt! - Date.now();
  assert.ok(wait <= 12_000, `the redial is ${wait} ms away`);
});

Deno.test("a failed dial is logged at info with the peer's name and the reason, once", async () => {
  const lines: string[] = [];
  const level = getLogLevel();
  setLogLevel("info");
  setLogSink((line) => lines.push(line));
  try {
    using side = await unreachable();
    const info = await failingConnect(side.peers);
    const logged = lines.filter((l) => l.includes("cannot reach a peer"));
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, / INFO {2}\[peers\] /);
    assert.ok(logged[0]!.includes(`peer=${info.name}`), logged[0]!);
    assert.match(
      logged[0]!,
      /reason=Cannot connect to 192\.0\.2\.9:4000: no route \[UNAVAILABLE\]/,
    );
  } finally {
    setLogSink(undefined);
    setLogLevel(level);
  }
});

Deno.test("keys that only connected to us are remembered up to a bound, never redialled, then forgotten", async () => {
  const removed: string[] = [];
  using side = await unreachable({
    maxUnproven: 5,
    forgetAfterMs: 50,
    onRemove: (key) => removed.push(key),
  });
  const connections: PeerConnection[] = [];
  for (let i = 0; i < 8; i++) {
    const connection = fakeConnection((await generateIdentity()).publicKeyHex, "inbound");
    connections.push(connection);
    side.peers.accept(connection);
    await new Promise((resolve) => setTimeout(resolve, 2)); // each a moment after the last
  }
  assert.equal(side.peers.list().length, 5, "the table holds at most the bound");
  for (const crowded of connections.slice(0, 3)) {
    assert.equal((await crowded.closed).code, CLOSE.CROWDED, "the oldest made room");
  }
  assert.deepEqual(removed, connections.slice(0, 3).map((c) => c.peerKeyHex));
  for (const connection of connections.slice(3)) connection.close(0, "gone");
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(side.peers.list().every((p) => p.status === "disconnected" && !p.retryAt));
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(side.peers.list().length, 0, "forgotten once away for a while");
  assert.equal(side.dials(), 0, "none of them was dialled");
});

Deno.test("a peer that only connected to us is kept and redialled once its owner used it", async () => {
  using side = await unreachable({ forgetAfterMs: 20 });
  const connection = fakeConnection((await generateIdentity()).publicKeyHex, "inbound");
  side.peers.accept(connection);
  assert.equal(side.peers.trusted(connection.peerKeyHex), false);
  side.peers.markUseful(connection.peerKeyHex);
  assert.equal(side.peers.trusted(connection.peerKeyHex), true);
  connection.close(0, "gone");
  await new Promise((resolve) => setTimeout(resolve, 60));
  const [info] = side.peers.list();
  assert.equal(info?.keyHex, connection.peerKeyHex, "still listed");
  assert.ok(info?.retryAt, "and redialled");
});

Deno.test("a blocked peer is refused at the door, never dialled from gossip, and the owner may still add it back", async () => {
  using side = await unreachable();
  const pest = await generateIdentity();
  const connection = fakeConnection(pest.publicKeyHex, "inbound");
  side.peers.accept(connection);
  assert.equal(side.peers.standing(pest.publicKeyHex), "known");
  const blocked = side.peers.setStanding(pest.publicKeyHex, "blocked");
  assert.equal(blocked.status, "disconnected");
  assert.deepEqual(await connection.closed, { code: CLOSE.REFUSED, reason: "blocked" });
  assert.equal(side.peers.admits(pest.publicKeyHex), false);
  const again = fakeConnection(pest.publicKeyHex, "inbound");
  side.peers.accept(again);
  assert.equal((await again.closed).code, CLOSE.REFUSED);
  const dials = side.dials();
  await assert.rejects(side.peers.connect(pest.publicKey, ADDRESS, { source: "gossip" }), {
    code: "FORBIDDEN",
  });
  assert.equal(side.dials(), dials, "not dialled");
  // pasting its address is the owner's say: a friend again (the dial itself fails here)
  await assert.rejects(side.peers.connect(pest.publicKey, ADDRESS), { code: "UNAVAILABLE" });
  assert.equal(side.peers.standing(pest.publicKeyHex), "friend");
});

Deno.test("friend requests wait at most MAX_REQUESTS at once; a declined peer does not ask again", async () => {
  using side = await unreachable({ maxUnproven: 1000 });
  const keys: string[] = [];
  for (let i = 0; i <= MAX_REQUESTS; i++) {
    const key = (await generateIdentity()).publicKeyHex;
    keys.push(key);
    side.peers.accept(fakeConnection(key, "inbound"));
    side.peers.requested(key);
  }
  const waiting = side.peers.list().filter((p) => p.standing === "requested");
  assert.equal(waiting.length, MAX_REQUESTS);
  assert.equal(side.peers.standing(keys[0]!), "known", "the oldest lapsed");
  side.peers.setStanding(keys[1]!, "known"); // refused
  side.peers.requested(keys[1]!);
  assert.equal(side.peers.standing(keys[1]!), "known");
  side.peers.setStanding(keys[2]!, "friend"); // accepted
  side.peers.requested(keys[2]!);
  assert.equal(side.peers.standing(keys[2]!), "friend");
});

Deno.test("--accept known refuses keys this node has no record of; friends refuses all but friends", async () => {
  const stranger = (await generateIdentity()).publicKeyHex;
  {
    using side = await unreachable({ accept: "known" });
    const connection = fakeConnection(stranger, "inbound");
    side.peers.accept(connection);
    assert.equal((await connection.closed).code, CLOSE.REFUSED);
    assert.deepEqual(side.peers.list(), []);
  }
  {
    using side = await unreachable({ accept: "friends" });
    const friend = await generateIdentity();
    await assert.rejects(side.peers.connect(friend.publicKey, ADDRESS), { code: "UNAVAILABLE" });
    assert.equal(side.peers.admits(friend.publicKeyHex), true);
    assert.equal(side.peers.admits(stranger), false);
  }
});

Deno.test("a restored peer with an announce address is redialled through every candidate, not its last address", async () => {
  const own = await generateIdentity();
  const other = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  const store = new PeerStore(kv);
  await store.put({
    keyHex: other.publicKeyHex,
    address: { ip: "2001:db8::9", port: 4000 }, // the IPv6 address it had: gone since
    source: "manual",
    lastSeen: 1,
    standing: "friend",
    announce: "hdp2-test-address",
  });
  const plain: string[] = [];
  const viaAnnounce: string[] = [];
  const connected = Promise.withResolvers<void>();
  const peers = new Peers(
    own.publicKeyHex,
    (ip) => {
      plain.push(ip);
      return Promise.reject(hdpError("UNAVAILABLE", "no route"));
    },
    store,
    {
      onConnection: () => {},
      onChange: (peer) => {
        if (peer.status === "connected") connected.resolve();
      },
      redialer: (record) => () => {
        viaAnnounce.push(record.announce!);
        return Promise.resolve(fakeConnection(record.keyHex, "outbound"));
      },
    },
  );
  try {
    await peers.restore();
    await connected.promise;
    assert.deepEqual(viaAnnounce, ["hdp2-test-address"]);
    assert.deepEqual(plain, []);
  } finally {
    peers.close();
    kv.close();
  }
});

Deno.test("a saved announce address that cannot be dialled leaves the plain redial", async () => {
  const own = await generateIdentity();
  const other = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  const store = new PeerStore(kv);
  await store.put({
    keyHex: other.publicKeyHex,
    address: ADDRESS,
    source: "manual",
    lastSeen: 1,
    standing: "friend",
    announce: "garbage",
  });
  const plain: string[] = [];
  const connected = Promise.withResolvers<void>();
  const peers = new Peers(
    own.publicKeyHex,
    (ip) => {
      plain.push(ip);
      return Promise.resolve(fakeConnection(other.publicKeyHex, "outbound"));
    },
    store,
    {
      onConnection: () => {},
      onChange: (peer) => {
        if (peer.status === "connected") connected.resolve();
      },
      redialer: () => {
        throw hdpError("BAD_REQUEST", "Not an announce address");
      },
    },
  );
  try {
    await peers.restore();
    await connected.promise;
    assert.deepEqual(plain, [ADDRESS.ip]);
  } finally {
    peers.close();
    kv.close();
  }
});

Deno.test("a forgotten peer leaves the table and the store, its connection closed, and is not redialled", async () => {
  const removed: string[] = [];
  using side = await unreachable({ onRemove: (key) => removed.push(key) });
  const away = await failingConnect(side.peers);
  const inbound = await generateIdentity();
  const connection = fakeConnection(inbound.publicKeyHex, "inbound");
  side.peers.accept(connection);
  const forgotten = await side.peers.forget(inbound.publicKeyHex);
  assert.equal(forgotten.keyHex, inbound.publicKeyHex);
  assert.equal((await connection.closed).code, CLOSE.NORMAL);
  await side.peers.forget(away.keyHex);
  assert.deepEqual(side.peers.list(), []);
  assert.deepEqual(removed, [inbound.publicKeyHex, away.keyHex]);
  await assert.rejects(side.peers.forget(away.keyHex), { code: "NOT_FOUND" });
  side.peers.redialSoon();
  assert.equal(side.dials(), 1);
});

Deno.test("a peer no direct dial reaches is connected through a relay, which a direct path replaces", async () => {
  const own = await generateIdentity();
  const target = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  let direct = false;
  const served: PeerConnection[] = [];
  const relayed = {
    ...fakeConnection(target.publicKeyHex, "outbound"),
    path: { family: "IPv4" as const, via: "relayed" as const, relay: "KindOtter" },
  };
  let relayAsked: string | undefined;
  const retried = Promise.withResolvers<void>();
  const peers = new Peers(
    own.publicKeyHex,
    () => {
      if (!direct) {
        return Promise.reject(hdpError("UNAVAILABLE", "Needs relay: both sides are symmetric"));
      }
      retried.resolve();
      return Promise.resolve({
        ...fakeConnection(target.publicKeyHex, "outbound"),
        path: { family: "IPv4", via: "punched" },
      });
    },
    new PeerStore(kv),
    {
      onConnection: (c) => served.push(c),
      directRetryMs: () => 20,
      relayDial: (keyHex, why) => {
        relayAsked = `${keyHex === target.publicKeyHex} ${why.message}`;
        return Promise.resolve(relayed);
      },
    },
  );
  try {
    const info = await peers.connect(target.publicKey, ADDRESS);
    assert.equal(info.status, "connected");
    assert.deepEqual(info.path, relayed.path);
    assert.equal(relayAsked, "true Needs relay: both sides are symmetric");
    assert.equal(served.at(-1), relayed);
    // the record keeps the peer's own address, not the relay's
    assert.deepEqual(peers.list()[0]!.address, ADDRESS);
    direct = true; // the next direct try works
    await retried.promise;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = peers.list()[0]!;
    assert.equal(now.status, "connected");
    assert.equal(now.path?.via, "punched", "the direct connection replaced the relayed one");
    assert.equal(peers.connection(target.publicKeyHex)?.path?.via, "punched");
    assert.deepEqual(await relayed.closed, {
      code: CLOSE.DUPLICATE,
      reason: "duplicate connection",
    });
  } finally {
    peers.close();
    kv.close();
  }
});

Deno.test("only a peer that could not be reached is tried through a relay, not one that refused", async () => {
  let asked = 0;
  const relayDial = () => {
    asked++;
    return Promise.reject(hdpError("UNAVAILABLE", "no relay available (no other peer)"));
  };
  {
    using side = await unreachable({ relayDial });
    const key = (await generateIdentity()).publicKey;
    await assert.rejects(side.peers.connect(key, ADDRESS), /no relay available/);
    assert.equal(asked, 1);
  }
  const own = await generateIdentity();
  const kv = await Deno.openKv(":memory:");
  const peers = new Peers(
    own.publicKeyHex,
    () => Promise.reject(hdpError("FORBIDDEN", "The peer does not take this node")),
    new PeerStore(kv),
    { onConnection: () => {}, relayDial, backoffMs: 60_000 },
  );
  try {
    const key = (await generateIdentity()).publicKey;
    await assert.rejects(peers.connect(key, ADDRESS), { code: "FORBIDDEN" });
    assert.equal(asked, 1, "no relay asked");
  } finally {
    peers.close();
    kv.close();
  }
});

Deno.test("a peer that reached us through a relay is not dialled directly at the relay's address", async () => {
  let dials = 0;
  using side = await unreachable({ directRetryMs: () => 5 });
  const peer = await generateIdentity();
  side.peers.accept({
    ...fakeConnection(peer.publicKeyHex, "inbound"),
    path: { family: "IPv4", via: "relayed", relay: "KindOtter" },
  });
  await new Promise((resolve) => setTimeout(resolve, 40));
  dials = side.dials();
  assert.equal(dials, 0, "the side that dialled it tries the direct path");
  assert.equal(side.peers.list()[0]!.path?.via, "relayed");
});
