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
