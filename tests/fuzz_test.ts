import assert from "node:assert/strict";
import { seeded } from "../bench/_util.ts";
import { encodeCbor, encodeFrame, FrameReader, PROTOCOL_VERSION } from "../src/wire/mod.ts";
import { fromHex, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { indexed, testNode } from "./helpers/nodes.ts";

const VALID: unknown[] = [
  { type: "ls", v: PROTOCOL_VERSION, path: "", recursive: true },
  { type: "ls", v: PROTOCOL_VERSION, path: "share/docs", searchTerm: "a", limit: 2 },
  { type: "read", v: PROTOCOL_VERSION, path: "share/docs/a.txt", start: 1, end: 3 },
  { type: "readMany", v: PROTOCOL_VERSION, paths: ["share/docs/a.txt", "share/docs/b.txt"] },
  { type: "announce", v: PROTOCOL_VERSION, address: "hdp1abc" },
];

/** One hostile frame: random bytes, a mutated valid request, or a lying length prefix. */
function hostileFrame(random: () => number): Uint8Array {
  const pick = random();
  if (pick < 0.25) {
    return Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
  }
  const base = encodeFrame(VALID[Math.floor(random() * VALID.length)]);
  const bytes = new Uint8Array(base);
  if (pick < 0.6) {
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) {
      bytes[4 + Math.floor(random() * (bytes.length - 4))] = Math.floor(random() * 256);
    }
    return bytes;
  }
  if (pick < 0.75) return bytes.subarray(0, Math.floor(random() * bytes.length)); // truncated
  if (pick < 0.9) {
    new DataView(bytes.buffer).setUint32(0, Math.floor(random() * 2 ** 32)); // length lies
    return bytes;
  }
  // well-formed CBOR of the wrong shapes
  const shapes = [
    [],
    42,
    "ls",
    null,
    { type: "read", v: 1, path: 7 },
    { type: "ls", v: 99 },
    {
      type: "read",
      v: 1,
      path: "share/docs/a.txt",
      start: -1,
    },
    { type: "nope", v: 1 },
    { type: "readMany", v: 1, paths: [] },
    { type: "readMany", v: 1, paths: ["share/docs/a.txt", 7] },
    { type: "readMany", v: 1, paths: "share/docs/a.txt" },
    { type: "ls", v: 1, path: "x".repeat(5000) },
  ];
  const body = encodeCbor(shapes[Math.floor(random() * shapes.length)]);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

Deno.test("10k random and mutated frames get answers or closed streams, and the node still serves", async () => {
  await using server = await testNode({ "docs/a.txt": "hello", "docs/b.txt": "world" });
  await indexed(server.node);
  const fuzzer = await QuicTransport.open(await generateIdentity(), {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  try {
    const info = server.node.info();
    const connection = await fuzzer.dial("127.0.0.1", info.port, fromHex(info.publicKey)!);
    const random = seeded(20261125);
    const answers = new Map<string, number>();
    const total = 10_000;
    let sent = 0;
    const worker = async () => {
      while (sent < total) {
        sent++;
        const stream = await connection.openStream();
        const writer = stream.writable.getWriter();
        await writer.write(hostileFrame(random)).catch(() => {});
        await writer.close().catch(() => {});
        const reader = new FrameReader(stream.readable);
        let kind = "closed";
        try {
          const frame = await reader.readFrame() as { type?: string; code?: string } | undefined;
          kind = frame?.type === "error" ? `error ${frame.code}` : frame?.type ?? "closed";
        } catch (error) {
          kind = `broken ${(error as { code?: string }).code ?? ""}`;
        }
        await reader.cancel();
        answers.set(kind, (answers.get(kind) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    console.log("answers to hostile frames:", Object.fromEntries([...answers].sort()));
    assert.ok((answers.get("error BAD_REQUEST") ?? 0) > 1000);
    assert.ok((answers.get("error TOO_LARGE") ?? 0) > 100);
    assert.equal(connection.isClosed, false, "the connection survived");
    // and a valid request is still served, on the same connection and on a new one
    const stream = await connection.openStream();
    const writer = stream.writable.getWriter();
    await writer.write(encodeFrame(VALID[2]));
    await writer.close();
    const reader = new FrameReader(stream.readable);
    assert.deepEqual((await reader.readFrame() as { type: string }).type, "ok");
    let body = "";
    for await (const chunk of reader.raw()) body += new TextDecoder().decode(chunk); // chunks are reused
    assert.equal(body, "el");
    const page = await server.node.ls({ path: "share/docs" });
    assert.equal(page.entries.length, 2);
  } finally {
    await fuzzer.close();
  }
});
