import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { generateIdentity, type Identity } from "../transport/mod.ts";
import { encodeAnnounceAddress } from "./announce_address.ts";
import { signAnnouncement } from "./gossip_signature.ts";
import { type MdnsFound, type MdnsRemote, type MdnsSocket, serveMdns, startMdns } from "./mdns.ts";
import { buildMdnsRecords, MDNS_SERVICE, type MdnsAnnouncement } from "./mdns_record.ts";

const NOW = Date.UTC(2025, 0, 1);
const me = await generateIdentity();
const alice = await generateIdentity();
const bob = await generateIdentity();

/** Promises that resolve once a condition holds, checked again at each `wake()`. */
class Conditions {
  #waiters = new Set<() => void>();

  /** Resolves once `check` holds; fails after `timeoutMs` (a bound, not a wait). */
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/** One turn of the timers: runs after every timer that was already due. */
function timersTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

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
  readonly #sent = new Conditions();

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
    return this.#sent.until(() => this.sent.length >= count, `${count} messages sent`);
  }
  #record(sent: Sent): void {
    this.sent.push(sent);
    this.#sent.wake();
  }
}

const LAN_PEER: MdnsRemote = { address: "192.168.3.11", port: 5353 };
const queryPacket = { type: "query", questions: [{ name: MDNS_SERVICE, type: "PTR" }] };

/** The peers a responder reported, and a way to await them. */
interface Found {
  list: MdnsFound[];
  /** Resolves once a peer with this announce address was reported. */
  heard(address: string): Promise<void>;
}

/** Runs `body` with a responder on a fake socket and closes it afterwards. */
async function withResponder(
  options: Partial<Parameters<typeof serveMdns>[1]>,
  body: (socket: FakeSocket, found: Found) => Promise<void>,
): Promise<void> {
  const socket = new FakeSocket();
  const reported = new Conditions();
  const found: Found = {
    list: [],
    heard: (address) =>
      reported.until(() => found.list.some((f) => f.announce === address), `${address} heard`),
  };
  const announcement = await signed(me);
  const mdns = serveMdns(socket, {
    announce: () => announcement,
    now: () => NOW,
    ...options,
    onPeer: (peer) => {
      found.list.push(peer);
      reported.wake();
      options.onPeer?.(peer);
    },
  });
  try {
    await body(socket, found);
  } finally {
    mdns.close();
    mdns.close();
    assert.equal(socket.destroyed, 1);
  }
}

/**
 * Sends a true announcement of Bob's after others and waits for it: every report takes the same
 * steps and WebCrypto answers in order, so once Bob is heard the ones before him are decided.
 */
async function thenBob(socket: FakeSocket, found: Found): Promise<void> {
  socket.emit("response", { answers: buildMdnsRecords(await signed(bob)) }, LAN_PEER);
  await found.heard(addressOf(bob));
  found.list.splice(found.list.findIndex((f) => f.announce === addressOf(bob)), 1);
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
    await timersTurn(); // an answer per query would have been due with this one
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
  // Nothing to announce at the start: no multicast answer went out, so any query taken would be
  // answered at once, unicast or multicast, and there is no later moment to wait for.
  let announcement: MdnsAnnouncement | undefined;
  await withResponder({ announce: () => announcement }, async (socket) => {
    await socket.sentCount(1);
    announcement = await signed(me);
    const oneShot = { address: "192.168.3.12", port: 49152 };
    socket.emit(
      "query",
      { type: "query", questions: [{ name: "_http._tcp.local", type: "PTR" }] },
      LAN_PEER,
    );
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
    socket.emit("query", queryPacket, oneShot); // the only one that counts
    await socket.sentCount(2);
    assert.equal(socket.sent.length, 2);
    assert.ok(socket.sent[1]?.kind === "respond" && socket.sent[1].to === oneShot);
    // A query for us from a sender that is no address is answered to the group, never to it.
    // (Before, this test counted it among the unanswered: its answer was only due a second
    // later, after the test had ended.)
    socket.emit("query", queryPacket, { address: 7, port: "x" });
    await socket.sentCount(3);
    assert.ok(socket.sent[2]?.kind === "respond" && socket.sent[2].to === undefined, "multicast");
  });
});

Deno.test("a signed peer is reported as verified, with where it came from", async () => {
  await withResponder({}, async (socket, found) => {
    const records = buildMdnsRecords(await signed(alice));
    socket.emit("response", { type: "response", answers: records, additionals: [] }, LAN_PEER);
    await found.heard(addressOf(alice));
    const [heard, ...more] = found.list;
    assert.deepEqual(more, []);
    assert.equal(heard?.verified, true);
    assert.equal(heard?.announce, addressOf(alice));
    assert.deepEqual(heard?.address.publicKey, alice.publicKey);
    assert.deepEqual(heard?.from, { ip: "192.168.3.11", port: 5353 });
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
    await thenBob(socket, found);
    assert.deepEqual(found.list.map((f) => [f.announce, f.verified]), [[addressOf(alice), false]]);
  });
  await withResponder({ requireSignature: true }, async (socket, found) => {
    emitAll(socket);
    await thenBob(socket, found);
    assert.deepEqual(found.list, []);
  });
});

Deno.test("our own announcement coming back is not reported", async () => {
  await withResponder({}, async (socket, found) => {
    socket.emit("response", { answers: buildMdnsRecords(await signed(me)) }, LAN_PEER);
    await thenBob(socket, found);
    assert.deepEqual(found.list, []);
  });
});

Deno.test("hostile packets, socket errors and a throwing callback never throw", async () => {
  const called = Promise.withResolvers<void>();
  await withResponder({
    onPeer: () => {
      called.resolve();
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
    await called.promise;
    await timersTurn(); // the callback's throw, had it escaped, fails the test by now
  });
});

Deno.test("nothing is announced while announce() has nothing or fails", async () => {
  const good = await signed(me);
  for (const nothing of [() => undefined, () => ({ address: "hdp1broken" })]) {
    let announce: () => MdnsAnnouncement | undefined = nothing;
    await withResponder({ announce: () => announce() }, async (socket) => {
      await socket.sentCount(1);
      const oneShot = { address: "192.168.3.12", port: 49152 };
      socket.emit("query", queryPacket, oneShot);
      // a query once there is something: its answer comes after whatever the first one caused
      announce = () => good;
      socket.emit("query", queryPacket, oneShot);
      await socket.sentCount(2);
      assert.deepEqual(socket.sent.map((s) => [s.kind, "to" in s ? s.to : undefined]), [
        ["query", undefined],
        ["respond", oneShot],
      ]);
    });
  }
});

Deno.test("two responders on the loopback interface find each other", async () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const socket = { port, interface: "127.0.0.1" };
  const [mine, hers] = [await signed(me, Date.now()), await signed(alice, Date.now())];
  const seen: { me: MdnsFound[]; alice: MdnsFound[] } = { me: [], alice: [] };
  const { promise: both, resolve, reject } = Promise.withResolvers<void>();
  const check = (): void => {
    if (seen.me.length > 0 && seen.alice.length > 0) resolve();
  };
  const a = startMdns({ announce: () => mine, onPeer: (f) => (seen.me.push(f), check()), socket });
  const b = startMdns({
    announce: () => hers,
    onPeer: (f) => (seen.alice.push(f), check()),
    socket,
  });
  const timeout = setTimeout(
    () => reject(new Error("Timed out after 10000 ms: the responders did not find each other")),
    10_000,
  );
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
