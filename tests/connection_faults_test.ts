import assert from "node:assert/strict";
import { join } from "node:path";
import { waitingText } from "../src/api/light.ts";
import { getLogLevel, setLogLevel, setLogSink } from "../src/log.ts";
import { readCall, serveConnection } from "../src/rpc/mod.ts";
import { CLOSE, generateIdentity, QuicTransport } from "../src/transport/mod.ts";
import { eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";
import { within } from "./helpers/events.ts";

Deno.test("a daemon that stops cleanly is seen as disconnected by its peer within 2 s", async () => {
  await using tmp = await tempDir();
  const dirs = (name: string) => ({
    storage: join(tmp.path, name),
    downloadDir: join(tmp.path, `${name}-dl`),
  });
  const share = join(tmp.path, "share");
  await Deno.mkdir(share);
  const big = await Deno.open(join(share, "big.bin"), { create: true, write: true });
  await big.truncate(4 * 1024 ** 3); // sparse: long enough a transfer, nothing to write
  big.close();
  const a = await startDaemon({ ...dirs("a"), shareDirs: [share] });
  await using b = await startDaemon(dirs("b"));
  let socket: WebSocket | undefined;
  try {
    const infoA = await a.client.info();
    const connected = await b.client.connect(infoA.announceAddress);
    assert.equal(connected.status, "connected");
    const item = await eventually(async () => {
      try {
        return await b.client.download(infoA.name, "share/big.bin");
      } catch {
        return undefined; // not indexed yet
      }
    });
    await eventually(async () => {
      const now = (await b.client.downloads()).find((d) => d.id === item.id);
      return now && now.bytesDone > 0 ? now : undefined;
    });
    // an open page of the web UI holds a WebSocket to the event stream
    socket = new WebSocket(a.client.eventsUrl());
    await new Promise((resolve, reject) => {
      socket!.onopen = resolve;
      socket!.onerror = reject;
    });
    const stoppedAt = performance.now(); // the time of the CLI's own start counts too
    const stop = await runCli(["stop", "--ui-address", a.uiAddress]);
    assert.equal(stop.code, 0, stop.stderr);
    // B is another process: no event of it can be awaited here, so its API is polled, bounded.
    const peer = await eventually(async () => {
      const found = (await b.client.peers()).find((p) => p.keyHex === infoA.publicKey);
      return found && found.status !== "connected" ? found : undefined;
    }, 10_000).catch((error) => {
      throw new Error(`${error.message}\nA:\n${a.output()}\nB:\n${b.output()}`);
    });
    const seenMs = Math.round(performance.now() - stoppedAt);
    console.log(
      `a stopped peer was seen as ${peer.status} ${seenMs} ms after \`stop\` (${peer.reason})`,
    );
    assert.ok(seenMs < 2000, `seen after ${seenMs} ms`);
    assert.equal(peer.problem?.code, "UNAVAILABLE");
    assert.match(peer.problem.message, /shut down$/);

    // The download says so, with what it keeps: "waiting for A (offline) · N MiB kept".
    const waiting = await eventually(
      async () => {
        const now = (await b.client.downloads()).find((d) => d.id === item.id);
        return now?.waitingForPeer ? now : undefined;
      },
      5000,
      { what: "the download to wait for its peer" },
    );
    assert.equal(waiting.state, "queued", "nothing is under way");
    assert.equal(waiting.queuePosition, undefined, "no place in a queue it cannot leave");
    assert.equal(waiting.speed, 0);
    assert.equal(waiting.eta, undefined);
    const part = join(tmp.path, "b-dl", infoA.name, "share", "big.bin.part");
    assert.equal(waiting.bytesDone, (await Deno.stat(part)).size, "bytes shown = bytes kept");
    assert.ok(waiting.bytesDone > 0);
    console.log(`then: ${waitingText(waiting)}`);
    // B keeps trying to reach A (its download waits for it), but A stays "disconnected": a
    // background redial is no "connecting" that comes and goes every few seconds.
    const retries = new Set<number>();
    const watchUntil = Date.now() + 4000;
    while (Date.now() < watchUntil) {
      const now = (await b.client.peers()).find((p) => p.keyHex === infoA.publicKey)!;
      assert.equal(now.status, "disconnected", `${now.status}: ${now.reason}`);
      assert.match(now.problem?.message ?? "", /shut down$/, "the reason it went stays");
      if (now.retryAt) retries.add(now.retryAt);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(retries.size >= 2, `B redialled meanwhile (${retries.size} retry times seen)`);
  } finally {
    socket?.close();
    await a.kill();
  }
});

Deno.test("a request cut off by its connection closing is no warning on the serving side", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeFile(path, new Uint8Array(32 * 1024 * 1024));
  const lines: string[] = [];
  const ended = Promise.withResolvers<void>();
  const level = getLogLevel();
  setLogLevel("debug");
  setLogSink((line) => {
    lines.push(line);
    if (/\[rpc\] a request (stream )?failed/.test(line)) ended.resolve();
  });
  const [serverId, clientId] = [await generateIdentity(), await generateIdentity()];
  const server = await QuicTransport.open(serverId, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) =>
      void serveConnection(connection, { keyHex: connection.peerKeyHex, name: "client" }, {
        async *ls() {},
        openFile: async () => ({ file: await Deno.open(path), size: 32 * 1024 * 1024, mtime: 0 }),
        announce: () => Promise.resolve(),
      }),
  });
  const client = await QuicTransport.open(clientId, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  try {
    const connection = await client.dial("127.0.0.1", server.port, serverId.publicKey);
    const read = await readCall(connection, { path: "share/big.bin" });
    await read.body.next(); // the transfer runs
    // what the side that retires a duplicate does once its own requests are over
    connection.close(CLOSE.DUPLICATE, "duplicate connection");
    await within(ended.promise, { what: "the server to see its request end" });
    const warnings = lines.filter((line) => / (WARN|ERROR) /.test(line));
    assert.deepEqual(warnings, []);
  } finally {
    setLogSink(undefined);
    setLogLevel(level);
    await client.close();
    await server.close();
    await Deno.remove(path);
  }
});

Deno.test("a requester that leaves in the middle of a read (pause, cancel) is no warning on the serving side", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeFile(path, new Uint8Array(32 * 1024 * 1024));
  const lines: string[] = [];
  const ended = Promise.withResolvers<void>();
  const level = getLogLevel();
  setLogLevel("debug");
  setLogSink((line) => {
    lines.push(line);
    if (/\[rpc\] a request (stream )?failed/.test(line)) ended.resolve();
  });
  const [serverId, clientId] = [await generateIdentity(), await generateIdentity()];
  const server = await QuicTransport.open(serverId, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: (connection) =>
      void serveConnection(connection, { keyHex: connection.peerKeyHex, name: "client" }, {
        async *ls() {},
        openFile: async () => ({ file: await Deno.open(path), size: 32 * 1024 * 1024, mtime: 0 }),
        announce: () => Promise.resolve(),
      }),
  });
  const client = await QuicTransport.open(clientId, {
    hostname: "127.0.0.1",
    port: 0,
    onConnection: () => {},
  });
  try {
    const connection = await client.dial("127.0.0.1", server.port, serverId.publicKey);
    const read = await readCall(connection, { path: "share/big.bin" });
    await read.body.next(); // the transfer runs
    await read.cancel(); // what a pause or a cancel does: the connection stays
    await within(ended.promise, { what: "the server to see its request end" });
    assert.ok(!connection.isClosed);
    const warnings = lines.filter((line) => / (WARN|ERROR) /.test(line));
    assert.deepEqual(warnings, []);
  } finally {
    setLogSink(undefined);
    setLogLevel(level);
    await client.close();
    await server.close();
    await Deno.remove(path);
  }
});

Deno.test("stop ends the daemon while a paused player holds a stream of a peer's file open", async () => {
  await using tmp = await tempDir();
  const share = join(tmp.path, "share");
  await Deno.mkdir(share);
  const big = await Deno.open(join(share, "big.bin"), { create: true, write: true });
  await big.truncate(4 * 1024 ** 3); // sparse: more than any buffer holds
  big.close();
  await using a = await startDaemon({
    storage: join(tmp.path, "a"),
    downloadDir: join(tmp.path, "a-dl"),
    shareDirs: [share],
  });
  await using b = await startDaemon({
    storage: join(tmp.path, "b"),
    downloadDir: join(tmp.path, "b-dl"),
  });
  const infoA = await a.client.info();
  await b.client.connect(infoA.announceAddress);
  const response = await eventually(async () => {
    const answer = await fetch(b.client.peerReadUrl(infoA.publicKey, "share/big.bin"));
    if (answer.ok) return answer;
    await answer.body?.cancel();
    return undefined; // not indexed yet
  });
  const reader = response.body!.getReader();
  try {
    assert.ok((await reader.read()).value?.length, "the stream plays");
    // the player pauses: it holds the connection and reads no more
    const stop = await runCli(["stop", "--ui-address", b.uiAddress]);
    assert.equal(stop.code, 0, stop.stderr);
    // Before, the API server's graceful shutdown waited for that stream for ever.
    const exited = await Promise.race([
      b.process.status.then((status) => status.code),
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 15_000)),
    ]);
    assert.equal(exited, 0, `the daemon is still ${exited} 15 s after stop\n${b.output()}`);
    assert.match(b.output(), /API connections still open are cut/);
  } finally {
    await reader.cancel().catch(() => {});
  }
});
