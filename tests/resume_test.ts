import assert from "node:assert/strict";
import { join } from "node:path";
import { benchFile } from "../bench/_util.ts";
import { type Daemon, eventually, startDaemon, tempDir } from "./helpers/daemon.ts";
import { fileSha256 } from "../bench/_util.ts";

const SIZE = 256 * 1024 * 1024;

async function sizeOf(path: string): Promise<number> {
  return await Deno.stat(path).then((s) => s.size, () => 0);
}

/** Waits until the part file passes `bytes` (or the download completes). */
async function partPasses(part: string, done: string, bytes: number): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if ((await sizeOf(part)) > bytes || (await sizeOf(done)) > 0) return;
    await new Promise((r) => setTimeout(r, 2)); // polling a file another process writes
  }
  throw new Error(`the part file never passed ${bytes} bytes`);
}

Deno.test("kill -9 of the downloader five times, then of the server: the file still arrives exact", async () => {
  await using tmp = await tempDir();
  const share = join(tmp.path, "Films");
  await Deno.mkdir(share);
  const source = join(share, "film.mkv");
  await benchFile(source, SIZE);
  const expected = await fileSha256(source);
  const dirsA = { storage: join(tmp.path, "a"), downloadDir: join(tmp.path, "a-dl") };
  const dirsB = { storage: join(tmp.path, "b"), downloadDir: join(tmp.path, "b-dl") };
  let a: Daemon = await startDaemon({ ...dirsA, shareDirs: [share] });
  let b: Daemon = await startDaemon(dirsB);
  try {
    const infoA = await a.client.info();
    await b.client.connect(infoA.announceAddress);
    await eventually(async () =>
      (await a.client.shares())[0]?.scanning === false ? true : undefined
    );
    const item = await b.client.download(infoA.name, "Films/film.mkv");
    const final = join(dirsB.downloadDir, infoA.name, "Films", "film.mkv");
    const part = `${final}.part`;

    let kills = 0;
    for (let step = 1; step <= 5; step++) {
      await partPasses(part, final, (step * SIZE) / 7);
      if ((await sizeOf(final)) > 0) break; // too fast to catch: it finished
      assert.equal((await b.kill("SIGKILL")).signal, "SIGKILL");
      kills++;
      b = await startDaemon(dirsB); // the wishlist and the peer come back by themselves
    }
    assert.ok(kills >= 3, `killed the downloader ${kills} times mid-file`);

    // now the serving side dies mid-transfer and comes back
    const serverKilledAt = await sizeOf(part);
    if ((await sizeOf(final)) === 0) {
      await a.kill("SIGKILL");
      // the downloader is another process: nothing to await; a moment for it to see the server gone
      await new Promise((r) => setTimeout(r, 300));
      a = await startDaemon(dirsA);
    }
    await eventually(async () => {
      const done = (await b.client.downloads()).find((d) => d.id === item.id);
      return done?.state === "done" ? done : undefined;
    }, 120_000);
    console.log(
      `downloader killed ${kills} times; server killed with ${serverKilledAt} of ${SIZE} bytes in`,
    );
    assert.equal(await fileSha256(final), expected);
    await assert.rejects(Deno.stat(part), Deno.errors.NotFound);
  } finally {
    await a[Symbol.asyncDispose]();
    await b[Symbol.asyncDispose]();
  }
});
