import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { encodeAnnounceAddress } from "../src/discovery/mod.ts";
import type { UploadInfo } from "../src/downloads/mod.ts";
import { serveConnection, serveStream } from "../src/rpc/mod.ts";
import { encodeFrame } from "../src/wire/mod.ts";
import { generateIdentity, type PeerStream, QuicTransport } from "../src/transport/mod.ts";
import { downloadState, eventsOf } from "./helpers/events.ts";
import { indexed, testNode } from "./helpers/nodes.ts";

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...await listTree(join(dir, entry.name), `${rel}/`));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("a hostile peer's ../, absolute and control-character names are refused and nothing lands outside", async () => {
  await using b = await testNode();
  const identity = await generateIdentity();
  const names = [
    "share/x/ok.txt",
    "share/x/../../../escape.txt",
    "share/x/sub/../../../../escape2.txt",
    "/tmp/absolute.txt",
    "share/x/bad\u0001name.txt",
    "share/xy/sibling.txt",
    "other/x/elsewhere.txt",
  ];
  const hostile = await QuicTransport.open(identity, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) =>
      void serveConnection(connection, { keyHex: connection.peerKeyHex, name: "victim" }, {
        async *ls() {
          yield {
            entries: names.map((name) => ({ name, size: 4, isDir: false, mtime: 0 })),
            partial: false,
          };
        },
        openFile: async () => {
          const path = await Deno.makeTempFile();
          await Deno.writeTextFile(path, "EVIL");
          return { file: await Deno.open(path), size: 4, mtime: 0 };
        },
        announce: () => Promise.resolve(),
      }),
  });
  try {
    const peer = await b.node.connect(encodeAnnounceAddress({
      publicKey: identity.publicKey,
      ip: "127.0.0.1",
      port: hostile.port,
      natType: "unknown",
    }));
    const item = await b.node.download(peer.name, "share/x");
    const done = await downloadState(b.node, item.id, ["failed", "done"]);
    assert.equal(done.state, "failed");
    assert.equal(done.files, 4, "only names under share/x/ count: no xy, no other, no absolute");
    assert.equal(done.filesDone, 1);
    assert.match(done.reason ?? "", /3 of 4 files failed/);
    assert.deepEqual(await listTree(b.config.downloadDir), [`${peer.name}/share/x/ok.txt`]);
    for (const escaped of ["escape.txt", "escape2.txt"]) {
      await assert.rejects(Deno.stat(join(b.root, escaped)), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(join(b.config.downloadDir, escaped)), Deno.errors.NotFound);
    }
    await assert.rejects(Deno.stat("/tmp/absolute.txt"), Deno.errors.NotFound);
  } finally {
    await hostile.close();
  }
});

Deno.test("upload slots are honoured and queued downloaders learn their positions", async () => {
  const size = 48 * 1024 * 1024;
  const content = new Uint8Array(randomBytes(1024 * 1024));
  const big = new Uint8Array(size);
  for (let i = 0; i < size; i += content.length) big.set(content, i);
  await using server = await testNode({ "big.bin": big }, { uploadSlots: 1 });
  await indexed(server.node);
  const clients = await Promise.all([testNode(), testNode(), testNode()]);
  try {
    const name = server.node.info().name;
    for (const c of clients) await c.node.connect(server.node.info().announceAddress);
    const items = await Promise.all(clients.map((c) => c.node.download(name, "share/big.bin")));
    // The server's upload events are sent at every change of state (queued, its position,
    // started, done), so counting them sees every overlap. A downloader's news of its place is
    // throttled, so the downloaders are looked at whenever the server's queue moves: a place is
    // sent one whole transfer before the upload it announces starts.
    const uploads = new Map<string, UploadInfo>();
    let maxUploading = 0;
    let sawQueuedUpload = false;
    const positions = new Set<number>();
    const off = server.node.events.on((event) => {
      if (event.type === "upload") uploads.set(event.upload.id, event.upload);
      else if (event.type === "upload-done") uploads.delete(event.id);
      else return;
      const states = [...uploads.values()];
      maxUploading = Math.max(maxUploading, states.filter((u) => u.state === "uploading").length);
      if (states.some((u) => u.state === "queued" && u.position)) sawQueuedUpload = true;
      for (const c of clients) {
        for (const d of c.node.downloads()) if (d.remotePosition) positions.add(d.remotePosition);
      }
    });
    const offClients = clients.map((c) =>
      eventsOf(c.node, "download").on(({ item }) => {
        if (item.remotePosition) positions.add(item.remotePosition);
      })
    );
    try {
      await Promise.all(clients.map((c, i) => downloadState(c.node, items[i]!.id, ["done"])));
    } finally {
      for (const stop of [off, ...offClients]) stop();
    }
    assert.equal(maxUploading, 1, "one slot: never two uploads at once");
    assert.ok(sawQueuedUpload, "the server listed queued uploads with their positions");
    assert.ok(positions.has(1), `downloaders heard their positions: ${[...positions]}`);
    for (const c of clients) {
      const got = await Deno.readFile(join(c.config.downloadDir, name, "share", "big.bin"));
      assert.equal(got.length, size);
    }
  } finally {
    for (const c of clients) await c[Symbol.asyncDispose]();
  }
});

Deno.test("a peer that does not know ReadMany still gets its small files fetched one by one", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 30; i++) files[`notes/${i}.txt`] = new Uint8Array(randomBytes(50 + i));
  await using b = await testNode();
  const dir = await Deno.makeTempDir({ prefix: "hdp-old-peer-" });
  for (const [path, bytes] of Object.entries(files)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeFile(join(dir, path), bytes);
  }
  const open = async (path: string) => {
    const file = await Deno.open(join(dir, path.replace(/^share\//, "")));
    const info = await file.stat();
    return { file, size: info.size, mtime: info.mtime!.getTime() };
  };
  // An older peer: the node's own handlers, but a ReadMany is an unknown request to it.
  const identity = await generateIdentity();
  let refused = 0;
  const old = await QuicTransport.open(identity, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) =>
      void (async () => {
        for (;;) {
          const { value: stream, done } = await connection.incoming.read();
          if (done) return;
          void answerAsOldPeer(stream, connection.peerKeyHex, () => refused++);
        }
      })().catch(() => {}),
  });
  const answerAsOldPeer = async (
    stream: PeerStream,
    keyHex: string,
    onRefused: () => void,
  ) => {
    const reader = stream.readable.getReader();
    const { value: first } = await reader.read();
    reader.releaseLock();
    if (new TextDecoder().decode(first).includes("readMany")) {
      onRefused();
      const writer = stream.writable.getWriter();
      await writer.write(
        encodeFrame({
          type: "error",
          code: "BAD_REQUEST",
          message: 'Unknown request type "readMany"',
        }),
      );
      await writer.close();
      return;
    }
    // anything else: replay the bytes already read, then let the real code serve it
    const rest = stream.readable;
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(first!);
      },
      async pull(controller) {
        const r = rest.getReader();
        const { value, done } = await r.read();
        r.releaseLock();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    });
    await serveStream(
      { readable, writable: stream.writable },
      { keyHex, name: "old" },
      {
        async *ls() {
          const entries = [];
          for (const path of Object.keys(files)) {
            const { file, size, mtime } = await open(path);
            file.close();
            entries.push({ name: `share/${path}`, size, isDir: false, mtime });
          }
          yield { entries, partial: false };
        },
        openFile: open,
        announce: () => Promise.resolve(),
      },
    );
  };
  try {
    const peer = await b.node.connect(encodeAnnounceAddress({
      publicKey: identity.publicKey,
      ip: "127.0.0.1",
      port: old.port,
      natType: "unknown",
    }));
    const item = await b.node.download(peer.name, "share/notes");
    const done = await downloadState(b.node, item.id, ["failed", "done"]);
    assert.equal(done.state, "done", done.reason ?? "");
    assert.equal(done.filesDone, 30);
    assert.ok(refused >= 1, "the batched read was tried first");
    for (const [path, bytes] of Object.entries(files)) {
      assert.deepEqual(
        await Deno.readFile(join(b.config.downloadDir, peer.name, "share", path)),
        bytes,
      );
    }
  } finally {
    await old.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a listing cut off mid-way continues after its last stored page, with no file listed twice", async () => {
  await using b = await testNode();
  const identity = await generateIdentity();
  const content = (i: number) => `file number ${i}`;
  const entry = (i: number) => ({
    name: `share/many/${String(i).padStart(2, "0")}.txt`,
    size: content(i).length,
    isDir: false,
    mtime: 1_700_000_000_000,
  });
  const range = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => entry(from + i));
  const asked: Array<string | undefined> = [];
  const reads = new Map<string, number>();
  const firstRead = Promise.withResolvers<void>();
  const peerSide = await QuicTransport.open(identity, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) =>
      void serveConnection(connection, { keyHex: connection.peerKeyHex, name: "b" }, {
        async *ls(query) {
          asked.push(query.cursor);
          if (query.cursor === undefined) {
            yield { entries: range(0, 10), partial: false, cursor: "after-10" };
            yield { entries: range(10, 20), partial: false, cursor: "after-20" };
            // the connection drops in the middle of the listing, once the files of its first
            // pages are being fetched (were they not, before the listing ends, this would
            // wait for ever and the download time out)
            await firstRead.promise;
            connection.close(0x100, "gone");
            return;
          }
          assert.equal(query.cursor, "after-20");
          yield { entries: range(20, 30), partial: false };
        },
        openFile: async (path) => {
          reads.set(path, (reads.get(path) ?? 0) + 1);
          firstRead.resolve();
          const i = Number(path.slice("share/many/".length, -4));
          const file = await Deno.makeTempFile();
          await Deno.writeTextFile(file, content(i));
          return { file: await Deno.open(file), size: content(i).length, mtime: 1_700_000_000_000 };
        },
        announce: () => Promise.resolve(),
      }),
  });
  try {
    const address = encodeAnnounceAddress({
      publicKey: identity.publicKey,
      ip: "127.0.0.1",
      port: peerSide.port,
      natType: "unknown",
    });
    const peer = await b.node.connect(address);
    const item = await b.node.download(peer.name, "share/many");
    // the node redials by itself after the drop, and the listing goes on from its cursor
    const done = await downloadState(b.node, item.id, ["failed", "done"]);
    assert.equal(done.state, "done", done.reason ?? "");
    assert.equal(done.files, 30);
    assert.equal(done.filesDone, 30);
    assert.deepEqual(asked, [undefined, "after-20"]);
    for (let i = 0; i < 30; i++) {
      const saved = join(b.config.downloadDir, peer.name, entry(i).name);
      assert.equal(await Deno.readTextFile(saved), content(i));
    }
  } finally {
    await peerSide.close();
  }
});
