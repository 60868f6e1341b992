import assert from "node:assert/strict";
import { generateIdentity } from "../transport/mod.ts";
import { encodeFrame, FrameReader, HdpError } from "../wire/mod.ts";
import { memoryConnections } from "./_memory_connection.ts";
import { circuitError, legError } from "./answer_errors.ts";
import { relayCall, relayedCall } from "./calls.ts";
import type { Handlers } from "./handlers.ts";
import { serveConnection } from "./serve.ts";

const circuit = new Uint8Array(16).fill(5);

function handlers(more: Partial<Handlers> = {}): Handlers {
  return {
    // deno-lint-ignore require-yield
    async *ls() {
      throw new HdpError("NOT_FOUND", "none");
    },
    openFile: () => Promise.reject(new HdpError("NOT_FOUND", "none")),
    announce: () => Promise.resolve(),
    ...more,
  };
}

async function pair() {
  const [a, r] = await Promise.all([generateIdentity(), generateIdentity()]);
  return memoryConnections(a.publicKey, r.publicKey);
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HdpError, String(error));
    return error.code;
  }
  return "none";
}

Deno.test("a Relay the relay accepts is acknowledged, then carries the circuit's bytes", async () => {
  const { near, far } = await pair();
  let asked: Uint8Array | undefined;
  void serveConnection(
    far,
    { keyHex: far.peerKeyHex, name: "a" },
    handlers({
      relay: (_from, request) => {
        asked = request.to;
        return Promise.resolve({
          // an echo stands for the leg to C
          run: (stream) => stream.readable.pipeTo(stream.writable),
          abandon: () => {},
        });
      },
    }),
  );
  const stream = await relayCall(near, new Uint8Array(32).fill(3), circuit);
  assert.deepEqual(asked, new Uint8Array(32).fill(3));
  const writer = stream.writable.getWriter();
  await writer.write(new Uint8Array([1, 2, 3]));
  await writer.close();
  const got: number[] = [];
  for await (const chunk of stream.readable) got.push(...chunk);
  assert.deepEqual(got, [1, 2, 3]);
  near.close(0, "done");
});

Deno.test("a node without relay handlers answers Relay and Relayed with FORBIDDEN", async () => {
  const { near, far } = await pair();
  void serveConnection(far, { keyHex: far.peerKeyHex, name: "a" }, handlers());
  assert.equal(await code(relayCall(near, new Uint8Array(32), circuit)), "FORBIDDEN");
  assert.equal(await code(relayedCall(near, new Uint8Array(32), circuit)), "FORBIDDEN");
  near.close(0, "done");
});

Deno.test("a relay of an older version (BAD_REQUEST to Relay) is reported as UNSUPPORTED", async () => {
  const { near, far } = await pair();
  void (async () => {
    const { value: stream } = await far.incoming.read();
    await new FrameReader(stream!.readable).readFrame();
    const writer = stream!.writable.getWriter();
    await writer.write(
      encodeFrame({ type: "error", code: "BAD_REQUEST", message: 'Unknown request type "relay"' }),
    );
    await writer.close();
  })();
  assert.equal(await code(relayCall(near, new Uint8Array(32), circuit)), "UNSUPPORTED");
  near.close(0, "done");
});

Deno.test("a relay tells A of an old C as UNAVAILABLE, and passes other codes on", () => {
  const old = circuitError({ type: "error", code: "BAD_REQUEST", message: "unknown" });
  assert.equal(old.code, "UNSUPPORTED");
  assert.equal(legError(old).code, "UNAVAILABLE");
  assert.equal(legError(new HdpError("FORBIDDEN", "no")).code, "FORBIDDEN");
});
