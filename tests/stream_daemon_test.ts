import assert from "node:assert/strict";
import { join } from "node:path";
import { type Daemon, eventually, startDaemon, tempDir } from "./helpers/daemon.ts";
import { makeTone, mediaToolsMissing, playWithMpv } from "./helpers/media.ts";

const missing = mediaToolsMissing();
if (missing) console.log(`Skipping the media player test: ${missing}`);

/** A's share `share` holding `files`, B connected to A; both stopped when disposed. */
async function twoDaemons(
  root: string,
  files: (share: string) => Promise<void>,
  argsA: string[] = [],
) {
  const share = join(root, "share");
  await Deno.mkdir(share);
  await files(share);
  const dirsB = { storage: join(root, "b"), downloadDir: join(root, "b-dl") };
  const a = await startDaemon({
    storage: join(root, "a"),
    downloadDir: join(root, "a-dl"),
    shareDirs: [share],
    extraArgs: argsA,
  });
  let b: Daemon | undefined;
  try {
    b = await startDaemon(dirsB);
    const nameA = (await a.client.info()).name;
    const peer = await b.client.connect((await a.client.info()).announceAddress);
    assert.equal(peer.status, "connected");
    const streams = `http://${b.uiAddress}/api/peers/${encodeURIComponent(nameA)}`;
    return {
      a,
      b,
      streams,
      downloadDirB: dirsB.downloadDir,
      [Symbol.asyncDispose]: async () => {
        await b?.[Symbol.asyncDispose]();
        await a[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await b?.[Symbol.asyncDispose]();
    await a[Symbol.asyncDispose]();
    throw error;
  }
}

/** The names in a folder; none when it does not exist. */
async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

Deno.test("a peer's file streams through the API with Range, and nothing is downloaded", async () => {
  await using tmp = await tempDir();
  const data = new Uint8Array(3 * 1024 * 1024);
  for (let at = 0; at < data.length; at += 65536) {
    crypto.getRandomValues(data.subarray(at, at + 65536));
  }
  await using peers = await twoDaemons(
    tmp.path,
    (share) => Deno.writeFile(join(share, "file.bin"), data),
  );
  const url = `${peers.streams}/read?path=share/file.bin`;

  const part = await fetch(url, { headers: { range: "bytes=1000-1999" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 1000-1999/${data.length}`);
  assert.equal(part.headers.get("content-length"), "1000");
  assert.equal(part.headers.get("accept-ranges"), "bytes");
  assert.match(part.headers.get("etag") ?? "", /^"3145728-\d+"$/);
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), data.subarray(1000, 2000));

  const tail = await fetch(url, { headers: { range: "bytes=-10" } });
  assert.equal(tail.status, 206);
  assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), data.subarray(data.length - 10));

  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(data.length));
  assert.equal(await head.text(), "");

  const beyond = await fetch(url, { headers: { range: `bytes=${data.length + 5}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get("content-range"), `bytes */${data.length}`);
  await beyond.body?.cancel();

  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), data);

  assert.deepEqual(await namesIn(peers.downloadDirB), [], "B's download dir stays empty");
  assert.deepEqual(await peers.b.client.downloads(), []);
});

Deno.test("a stream does not wait behind a download that holds the only upload slot, and goes ahead of it within the limit", async () => {
  await using tmp = await tempDir();
  await using peers = await twoDaemons(tmp.path, async (share) => {
    await using file = await Deno.open(join(share, "big.bin"), { write: true, create: true });
    await file.truncate(64 * 1024 * 1024);
    await Deno.writeFile(join(share, "song.flac"), new Uint8Array(3 * 1024 * 1024).fill(3));
  }, ["--upload-slots", "1", "--max-upload", "2MB/s"]);
  const nameA = (await peers.a.client.info()).name;
  const item = await eventually(() => peers.b.client.download(nameA, "share/big.bin"));
  await eventually(
    async () => {
      const uploads = await peers.a.client.uploads();
      return uploads.some((u) => u.state === "uploading") || undefined;
    },
    15_000,
    { what: "the download to hold A's one slot" },
  );
  const states: string[] = [];
  const watching = (async () => {
    for (let i = 0; i < 200 && states.at(-1) !== "stop"; i++) {
      for (const u of await peers.a.client.uploads()) {
        if (u.path === "share/song.flac") states.push(u.state);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const song = await fetch(`${peers.streams}/read?path=share/song.flac`);
  assert.equal(song.status, 200);
  const bytes = new Uint8Array(await song.arrayBuffer());
  states.push("stop");
  await watching;
  assert.equal(bytes.length, 3 * 1024 * 1024);
  assert.ok(!states.includes("queued"), `the stream queued: ${states.join()}`);
  const download = (await peers.b.client.downloads()).find((d) => d.id === item.id)!;
  assert.notEqual(download.state, "done", "the download was still under way behind it");
});

Deno.test("a player that seeks again and again is never refused: a stream left is freed at once where it is served", async () => {
  await using tmp = await tempDir();
  await using pair = await twoDaemons(tmp.path, async (share) => {
    const film = await Deno.open(join(share, "film.mkv"), { create: true, write: true });
    await film.truncate(1024 ** 3); // sparse: larger than any read-ahead
    film.close();
  });
  const url = `${pair.streams}/read?path=${encodeURIComponent("share/film.mkv")}`;
  await eventually(async () => {
    const head = await fetch(url, { method: "HEAD" });
    return head.ok ? true : undefined;
  });
  // each seek: a new range, the old one dropped after its first bytes (more than the 4
  // interactive reads a peer may run at once)
  for (let seek = 0; seek < 8; seek++) {
    const response = await fetch(url, { headers: { range: `bytes=${seek * 100_000_000}-` } });
    if (response.status !== 206) {
      assert.fail(`seek ${seek}: ${response.status} ${await response.text()}`);
    }
    const reader = response.body!.getReader();
    assert.ok((await reader.read()).value?.length);
    await reader.cancel();
    // A lets it go at once: no upload left running there
    await eventually(async () => (await pair.a.client.uploads()).length === 0 || undefined, 5000, {
      what: `the upload of seek ${seek} to end at A`,
    });
  }
  assert.doesNotMatch(pair.a.output(), /WARN|ERROR/);
});

Deno.test({
  name: "mpv plays a peer's song from the middle, through the playlist of its folder",
  ignore: missing !== undefined,
  fn: async () => {
    await using tmp = await tempDir();
    await using peers = await twoDaemons(tmp.path, async (share) => {
      await makeTone(join(share, "tone.mp3"), 10);
      await Deno.writeTextFile(join(share, "notes.txt"), "not a song");
    });
    const playlist = await fetch(`${peers.streams}/playlist.m3u?path=share`);
    assert.equal(playlist.status, 200);
    const lines = (await playlist.text()).trim().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[1], "#EXTINF:-1,tone.mp3");
    const streamUrl = lines[2]!;
    assert.ok(streamUrl.startsWith(`http://${peers.b.uiAddress}/api/peers/`), streamUrl);

    for (const url of [streamUrl, `${peers.streams}/playlist.m3u?path=share`]) {
      const run = await playWithMpv(url, "50%", 1);
      assert.equal(run.code, 0, run.output);
      assert.doesNotMatch(run.output, /Cannot seek/, run.output);
      const start = Number(run.output.match(/HDP-START=([\d.]+)/)?.[1]);
      assert.ok(start >= 4.5 && start <= 5.5, `playback began at ${start} s:\n${run.output}`);
    }
    assert.deepEqual(await namesIn(peers.downloadDirB), [], "B's download dir stays empty");
  },
});
