import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

Deno.test("the CLI connects two daemons, lists, searches and reads; a restarted peer comes back", async () => {
  await using tmp = await tempDir();
  const shareA = join(tmp.path, "Music");
  await Deno.mkdir(join(shareA, "Jazz"), { recursive: true });
  const song = crypto.getRandomValues(new Uint8Array(60_000));
  await Deno.writeFile(join(shareA, "Jazz", "So What.flac"), song);
  const dirsA = { storage: join(tmp.path, "a"), downloadDir: join(tmp.path, "a-dl") };
  const dirsB = { storage: join(tmp.path, "b"), downloadDir: join(tmp.path, "b-dl") };
  let a = await startDaemon({ ...dirsA, shareDirs: [shareA] });
  await using b = await startDaemon(dirsB);
  try {
    const infoA = await a.client.info();
    const cli = (...args: string[]) => runCli([...args, "--ui-address", b.uiAddress]);

    const connect = await cli("connect", infoA.announceAddress, "--json");
    assert.equal(connect.code, 0, connect.stderr);
    assert.equal(JSON.parse(connect.stdout).status, "connected");
    const peers = JSON.parse((await cli("peers", "--json")).stdout);
    assert.deepEqual(peers.map((p: { name: string }) => p.name), [infoA.name]);

    const ls = await eventually(async () => {
      const result = await cli("ls", `${infoA.name}/Music`, "--recursive", "--json");
      const parsed = JSON.parse(result.stdout);
      return parsed.partial ? undefined : parsed;
    });
    assert.deepEqual(ls.entries.map((e: { name: string }) => e.name), [
      "Music/Jazz",
      "Music/Jazz/So What.flac",
    ]);
    const human = await cli("ls", `${infoA.publicKey.slice(0, 8)}/Music/Jazz`);
    assert.match(human.stdout, /^- +58\.6 KiB {2}\d{4}-\d\d-\d\d {2}Music\/Jazz\/So What\.flac\n$/);
    const search = JSON.parse(
      (await cli("ls", infoA.name, "--search", "so what", "--json")).stdout,
    );
    assert.deepEqual(search.entries.map((e: { name: string }) => e.name), [
      "Music/Jazz/So What.flac",
    ]);

    const read = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "-q",
        "cli",
        "read",
        `${infoA.name}/Music/Jazz/So What.flac`,
        "--ui-address",
        b.uiAddress,
      ],
      cwd: new URL("..", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdout: "piped",
    }).output();
    assert.equal(read.code, 0);
    const hash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    assert.equal(hash(read.stdout), hash(song));
    const range = await cli(
      "read",
      `${infoA.name}/Music/Jazz/So What.flac`,
      "--start",
      "10",
      "--end",
      "20",
      "--json",
    );
    assert.deepEqual(JSON.parse(range.stdout), {
      path: "Music/Jazz/So What.flac",
      size: 60000,
      mtime: JSON.parse(range.stdout).mtime,
      start: 10,
      length: 10,
    });

    const missing = await cli("read", `${infoA.name}/Music/../etc/passwd`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /may not contain "\.\." \[BAD_REQUEST\]/);
    const nobody = await cli("ls", "NoSuchPeer");
    assert.match(nobody.stderr, /No peer called "NoSuchPeer" \[NOT_FOUND\]/);

    // download a folder with the CLI, follow it with `transfers`, find it in the history
    const queued = await cli("download", `${infoA.name}/Music`, "--json");
    assert.equal(queued.code, 0, queued.stderr);
    const item = JSON.parse(queued.stdout);
    assert.equal(item.localPath, `${infoA.name}/Music`);
    const done = await eventually(async () => {
      const list = JSON.parse((await cli("transfers", "--json")).stdout);
      const found = list.downloads.find((d: { id: string }) => d.id === item.id);
      return found?.state === "done" ? found : undefined;
    });
    assert.deepEqual([done.files, done.filesDone, done.bytesDone], [1, 1, song.length]);
    assert.deepEqual(
      await Deno.readFile(join(dirsB.downloadDir, infoA.name, "Music", "Jazz", "So What.flac")),
      song,
    );
    const once = await cli("transfers", "--once");
    assert.match(
      once.stdout,
      new RegExp(`^↑ [^\n]*↓ [^\n]*\nDownloads\n${item.id.slice(0, 8)} \\[#{20}\\] 100% done `),
    );
    const history = await cli("transfers", "--history", "--json");
    assert.deepEqual(
      JSON.parse(history.stdout).map((h: { direction: string; path: string; files?: number }) => [
        h.direction,
        h.path,
        h.files,
      ]),
      [["download", "Music", 1]],
    );
    assert.match(
      (await cli("transfers", "--history")).stdout,
      /^↓ \d{4}-\d\d-\d\d \d\d:\d\d +58\.6 KiB {2}Music \(1 file\) from \w+\n$/,
    );

    // A restarts (same storage, same remembered port): B reconnects by itself
    assert.equal((await a.kill("SIGTERM")).code, 0);
    await eventually(
      async () => ((await b.client.peers())[0]?.status !== "connected" ? true : undefined),
    );
    a = await startDaemon(dirsA);
    await eventually(
      async () => ((await b.client.peers())[0]?.status === "connected" ? true : undefined),
      20_000,
    );
    const again = await b.client.peerLs(infoA.name, { path: "Music" });
    assert.deepEqual(again.entries.map((e) => e.name), ["Music/Jazz"]);
  } finally {
    await a[Symbol.asyncDispose]();
  }
});

Deno.test("connect without waiting still refuses a bad address and this node's own at once", async () => {
  await using tmp = await tempDir();
  await using a = await startDaemon({
    storage: join(tmp.path, "a"),
    downloadDir: join(tmp.path, "a-dl"),
  });
  const own = (await a.client.info()).announceAddress;
  await assert.rejects(a.client.connect(own, { wait: false }), {
    code: "BAD_REQUEST",
    message: "That is this node's own address",
  });
  await assert.rejects(a.client.connect("hdp1garbage", { wait: false }), { code: "BAD_REQUEST" });
  assert.deepEqual(await a.client.peers(), []);
});
