import assert from "node:assert/strict";
import { generateIdentity, type Identity, type PeerConnection } from "../transport/mod.ts";
import { HdpError } from "../wire/mod.ts";
import { relayedPair } from "./_test_relay.ts";
import { RelayedConnection } from "./relayed_connection.ts";

/** A connection to the relay: only its key, address and end matter here. */
function relay(key: Uint8Array): PeerConnection & { drop(): void } {
  const closed = Promise.withResolvers<{ code: number; reason: string }>();
  return {
    peerKey: key,
    peerKeyHex: [...key].map((b) => b.toString(16).padStart(2, "0")).join(""),
    direction: "outbound",
    remote: { ip: "127.0.0.1", port: 9 },
    openStream: () => Promise.reject(new Error("unused")),
    incoming: new ReadableStream().getReader(),
    close: () => {},
    hold: () => () => {},
    closeWhenIdle: () => {},
    closed: closed.promise,
    isClosed: false,
    drop: () => closed.resolve({ code: 0, reason: "gone" }),
  };
}

/** A and C joined through an in-memory relay: A's connection to C and C's to A. */
async function joined(options: { cAccepts?: Identity } = {}) {
  const [a, c, r] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
  const viaA = relay(r.publicKey);
  const viaC = relay(r.publicKey);
  const atC: RelayedConnection = new RelayedConnection({
    via: viaC,
    peerKey: (options.cAccepts ?? a).publicKey,
    identity: c,
    direction: "inbound",
    dial: () => Promise.reject(new Error("unused")),
  });
  const served: Promise<void>[] = [];
  const atA = new RelayedConnection({
    via: viaA,
    peerKey: c.publicKey,
    identity: a,
    direction: "outbound",
    dial: (circuit) => {
      const pair = relayedPair();
      served.push(atC.accept(pair.c, circuit).catch(() => {}));
      return Promise.resolve(pair.a);
    },
  });
  return { atA, atC, viaA, served };
}

async function text(readable: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of readable.pipeThrough(new TextDecoderStream())) out += chunk;
  return out;
}

Deno.test("a relayed connection carries a stream each way in plaintext at its ends", async () => {
  const { atA, atC } = await joined();
  assert.deepEqual(atA.path, { family: "IPv4", via: "relayed", relay: atA.path.relay });
  const stream = await atA.openStream();
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode("ping"));
  await writer.close();
  const { value: incoming } = await atC.incoming.read();
  assert.equal(await text(incoming!.readable), "ping");
  const back = incoming!.writable.getWriter();
  await back.write(new TextEncoder().encode("pong"));
  await back.close();
  assert.equal(await text(stream.readable), "pong");
});

Deno.test("a relayed connection closes with its relay, and its streams in flight fail", async () => {
  const { atA, viaA } = await joined();
  const stream = await atA.openStream();
  viaA.drop();
  const info = await atA.closed;
  assert.match(info.reason, /relay left/);
  assert.equal(atA.isClosed, true);
  await assert.rejects(text(stream.readable));
  await assert.rejects(atA.openStream(), (e: unknown) => e instanceof HdpError);
});

Deno.test("the called end refuses a circuit whose proven key is not the one the relay named", async () => {
  const { atA, served } = await joined({ cAccepts: await generateIdentity() });
  const stream = await atA.openStream();
  await assert.rejects(text(stream.readable));
  await Promise.all(served);
});
