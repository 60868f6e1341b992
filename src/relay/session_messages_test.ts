import assert from "node:assert/strict";
import {
  encodeFinish,
  encodeHello,
  encodeReply,
  MESSAGE_BYTES,
  parseFinish,
  parseHello,
  parseReply,
} from "./session_messages.ts";

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

Deno.test("the three handshake messages round-trip with their type byte and fixed size", () => {
  const hello = { ephemeral: bytes(32, 1), key: bytes(32, 2) };
  const reply = { ephemeral: bytes(32, 3), key: bytes(32, 4), signature: bytes(64, 5) };
  const finish = { signature: bytes(64, 6) };
  const [h, r, f] = [encodeHello(hello), encodeReply(reply), encodeFinish(finish)];
  assert.deepEqual([h[0], h.length], [1, MESSAGE_BYTES.hello]);
  assert.deepEqual([r[0], r.length], [2, MESSAGE_BYTES.reply]);
  assert.deepEqual([f[0], f.length], [3, MESSAGE_BYTES.finish]);
  assert.deepEqual(parseHello(h), hello);
  assert.deepEqual(parseReply(r), reply);
  assert.deepEqual(parseFinish(f), finish);
});

Deno.test("a message of the wrong type or size is refused with PROTOCOL", () => {
  const hello = encodeHello({ ephemeral: bytes(32, 1), key: bytes(32, 2) });
  assert.throws(() => parseReply(hello), {
    code: "PROTOCOL",
    message: "Expected the relayed handshake's reply (type 2), not type 1",
  });
  assert.throws(() => parseHello(hello.subarray(0, 64)), { code: "PROTOCOL" });
  assert.throws(() => parseFinish(new Uint8Array(0)), { code: "PROTOCOL" });
});

Deno.test("a field of the wrong size is not encoded", () => {
  assert.throws(() => encodeFinish({ signature: bytes(63, 0) }), { code: "INTERNAL" });
});
