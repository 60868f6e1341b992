import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { generateIdentity, type Identity } from "../transport/identity.ts";
import { encodeAnnounceAddress } from "./announce_address.ts";
import { signAnnouncement } from "./gossip_signature.ts";
import { type MdnsFound, type MdnsRemote, type MdnsSocket, serveMdns, startMdns } from "./mdns.ts";
import { buildMdnsRecords, MDNS_SERVICE, type MdnsAnnouncement } from "./mdns_record.ts";

const NOW = Date.UTC(2025, 0, 1);
const me = await generateIdentity();
const alice = await generateIdentity();

function addressOf(identity: Identity, ip = "192.168.3.10", port = 40000): string {
  return encodeAnnounceAddress({ publicKey: identity.publicKey, ip, port, natType: "easy" });
}

async function signed(identity: Identity, time = NOW): Promise<MdnsAnnouncement> {
  const address = addressOf(identity);
  return { address, time, signature: await signAnnouncement(identity, address, time) };
}

type Sent =
  | { kind: "query"; names: string[] }
  | { kind: "respond"; answers: unknown[]; to: MdnsRemote | undefined };

/** Stands in for a multicast-dns instance: records what is sent, lets tests emit packets. */
class FakeSocket extends EventEmitter implements MdnsSocket {
  sent: Sent[] = [];
  destroyed = 0;
  #waiters: (() => void)[] = [];

  query(query: { questions: { name: string }[] }): void {
    this.#record({ kind: "query", names: query.questions.map((q) => q.name) });
  }
  respond(response: { answers: unknown[] }, to: MdnsRemote | undefined): void {
    this.#record({ kind: "respond", answers: response.answers, to });
  }
  destroy(): void {
    this.destroyed++;
  }
  /** Resolves once `count` messages have been sent in all. */
  sentCount(count: number): Promise<void> {
    if (this.sent.length >= count) return Promise.resolve();
    return new Promise((resolve) =>
      this.#waiters.push(() => this.sent.length >= count && resolve())
    );
  }
  #record(sent: Sent): void {
    this.sent.push(sent);
    this.#waiters.forEach((wake) => wake());
  }
}

const LAN_PEER: MdnsRemote = { address: "192.168.3.11", port: 5353 };
const queryPacket = { type: "query", questions: [{ name: MDNS_SERVICE, type: "PTR" }] };

/** Runs `body` with a responder on a fake socket and closes it afterwards. */
async function withResponder(
  options: Partial<Parameters<typeof serveMdns>[1]>,
  body: (socket: FakeSocket, found: MdnsFound[]) => Promise<void>,
): Promise<void> {
  const socket = new FakeSocket();
  const found: MdnsFound[] = [];
  const announcement = await signed(me);
  const mdns = serveMdns(socket, {
    announce: () => announcement,
    onPeer: (peer) => found.push(peer),
    now: () => NOW,
    ...options,
  });
  try {
    await body(socket, found);
  } finally {
    mdns.close();
    mdns.close();
    assert.equal(socket.destroyed, 1);
  }
}

/** Waits until the responder had a chance to check signatures (WebCrypto is asynchronous). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("starting queries for our service and announces our records", async () => {
  await withResponder({}, async (socket) => {
    await socket.sentCount(2);
    assert.deepEqual(socket.sent[0], { kind: "query", names: [MDNS_SERVICE] });
    const answer = socket.sent[1];
    assert.equal(answer?.kind, "respond");
    assert.deepEqual(
      answer?.kind === "respond" && answer.answers,
      buildMdnsRecords(await signed(me)),
    );
  });
});

Deno.test("a query is answered at most once a second, delayed rather than dropped", async () => {
  await withResponder({}, async (socket) => {
    await socket.sentCount(2);
    const started = performance.now();
    socket.emit("query", queryPacket, LAN_PEER);
    socket.emit("query", queryPacket, LAN_PEER);
    socket.emit("query", queryPacket, LAN_PEER);
    await socket.sentCount(3);
    assert.ok(performance.now() - started >= 900, "waited for the second to pass");
    const answer = socket.sent[2];
    assert.ok(answer?.kind === "respond" && answer.to === undefined, "multicast");
    await settle();
    assert.equal(socket.sent.length, 3, "three queries, one answer");
  });
});

Deno.test("a one-shot query from another port gets a unicast answer at once", async () => {
  await withResponder({}, async (socket) => {
    await socket.sentCount(2);
    const oneShot = { address: "192.168.3.12", port: 49152 };
    socket.emit("query", queryPacket, oneShot);
    await socket.sentCount(3);
    const answer = socket.sent[2];
    assert.ok(answer?.kind === "respond");
    assert.deepEqual(answer.to, oneShot);
  });
});

Deno.test("queries for other names and malformed queries are not answered", async () => {
  await withResponder({}, async (socket) => {
    await socket.sentCount(2);
    const oneShot = { address: "192.168.3.12", port: 49152 }; // would be answered at once
    socket.emit(
      "query",
      { type: "query", questions: [{ name: "_http._tcp.local", type: "PTR" }] },
      oneShot,
    );
    socket.emit(
      "query",
      { type: "query", questions: [{ name: MDNS_SERVICE, type: "A" }] },
      oneShot,
    );
    socket.emit("query", null, oneShot);
    socket.emit("query", { questions: "x" }, null);
    socket.emit("query", queryPacket, { address: 7, port: "x" });
    socket.emit("query", queryPacket, oneShot); // the only one that counts
    await socket.sentCount(3);
    await settle();
    assert.equal(socket.sent.length, 3);
    assert.ok(socket.sent[2]?.kind === "respond" && socket.sent[2].to === oneShot);
  });
});

Deno.test("a signed peer is reported as verified, with where it came from", async () => {
  await withResponder({}, async (socket, found) => {
    const records = buildMdnsRecords(await signed(alice));
    socket.emit("response", { type: "response", answers: records, additionals: [] }, LAN_PEER);
    await settle();
    assert.equal(found.length, 1);
    assert.equal(found[0]?.verified, true);
    assert.equal(found[0]?.announce, addressOf(alice));
    assert.deepEqual(found[0]?.address.publicKey, alice.publicKey);
    assert.deepEqual(found[0]?.from, { ip: "192.168.3.11", port: 5353 });
  });
});

Deno.test("forged, stale and unsigned announcements are handled as the options say", async () => {
  const aliceSigned = await signed(alice);
  const forged = { ...aliceSigned, address: addressOf(alice, "192.168.3.66") };
  const stale = await signed(alice, NOW - 25 * 60 * 60 * 1000);
  const unsigned = { address: addressOf(alice) };
  const emitAll = (socket: FakeSocket): void => {
    for (const announcement of [forged, stale, unsigned]) {
      socket.emit("response", { answers: buildMdnsRecords(announcement) }, LAN_PEER);
    }
  };
  await withResponder({}, async (socket, found) => {
    emitAll(socket);
    await settle();
    assert.deepEqual(found.map((f) => [f.announce, f.verified]), [[addressOf(alice), false]]);
  });
  await withResponder({ requireSignature: true }, async (socket, found) => {
    emitAll(socket);
    await settle();
    assert.deepEqual(found, []);
  });
});

Deno.test("our own announcement coming back is not reported", async () => {
  await withResponder({}, async (socket, found) => {
    socket.emit("response", { answers: buildMdnsRecords(await signed(me)) }, LAN_PEER);
    await settle();
    assert.deepEqual(found, []);
  });
});

Deno.test("hostile packets, socket errors and a throwing callback never throw", async () => {
  await withResponder({
    onPeer: () => {
      throw new Error("callback bug");
    },
  }, async (socket) => {
    for (const packet of [null, 7, "x", { answers: [null] }, { answers: "TXT" }]) {
      socket.emit("response", packet, LAN_PEER);
      socket.emit("response", packet, undefined);
    }
    socket.emit("response", { answers: buildMdnsRecords(await signed(alice)) }, LAN_PEER);
    socket.emit("error", new Error("EADDRINUSE"));
    socket.emit("warning", new Error("bad packet"));
    await settle();
  });
});

Deno.test("nothing is announced while announce() has nothing or fails", async () => {
  for (const announce of [() => undefined, () => ({ address: "hdp1broken" })]) {
    await withResponder({ announce }, async (socket) => {
      await socket.sentCount(1);
      socket.emit("query", queryPacket, { address: "192.168.3.12", port: 49152 });
      await settle();
      assert.deepEqual(socket.sent.map((s) => s.kind), ["query"]);
    });
  }
});

Deno.test("two responders on the loopback interface find each other", async () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const socket = { port, interface: "127.0.0.1" };
  const [mine, hers] = [await signed(me, Date.now()), await signed(alice, Date.now())];
  const seen: { me: MdnsFound[]; alice: MdnsFound[] } = { me: [], alice: [] };
  const { promise: both, resolve } = Promise.withResolvers<void>();
  const check = (): void => {
    if (seen.me.length > 0 && seen.alice.length > 0) resolve();
  };
  const a = startMdns({ announce: () => mine, onPeer: (f) => (seen.me.push(f), check()), socket });
  const b = startMdns({
    announce: () => hers,
    onPeer: (f) => (seen.alice.push(f), check()),
    socket,
  });
  const timeout = setTimeout(resolve, 3000);
  try {
    await both;
  } finally {
    clearTimeout(timeout);
    a.close();
    b.close();
  }
  assert.equal(seen.me[0]?.announce, hers.address, "we found alice");
  assert.equal(seen.alice[0]?.announce, mine.address, "alice found us");
  assert.ok(seen.me.every((f) => f.verified && f.announce === hers.address));
});
