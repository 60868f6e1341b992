import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

async function dirs(root: string) {
  const share = join(root, "share");
  await Deno.mkdir(share);
  return { share, storage: join(root, "storage"), downloadDir: join(root, "downloads") };
}

Deno.test("start serves /api/info, and a restart keeps the same key and name", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const { share, storage, downloadDir } = await dirs(root);
  let first;
  {
    await using daemon = await startDaemon({ shareDirs: [share], storage, downloadDir });
    const response = await fetch(`http://${daemon.uiAddress}/api/info`);
    assert.equal(response.status, 200);
    first = await response.json();
    assert.match(first.name, /^[A-Z][a-z]+[A-Z][a-z]+$/);
    assert.match(first.publicKey, /^[0-9a-f]{64}$/);
    assert.match(first.announceAddress, /^hdp1[a-z2-7]+$/);
    assert.deepEqual(first.shares, [
      { name: "share", path: await Deno.realPath(share), audience: "everyone" },
    ]);
    assert.match(daemon.output(), new RegExp(`running as ${first.name}`));
    const status = await daemon.kill("SIGTERM");
    assert.equal(status.code, 0, daemon.output());
  }
  await using again = await startDaemon({ storage, downloadDir });
  const second = await again.client.info();
  assert.equal(second.publicKey, first.publicKey);
  assert.equal(second.name, first.name);
  assert.equal(second.port, first.port, "the UDP port is remembered");
  assert.deepEqual(second.shares, first.shares, "shares are remembered");
});

Deno.test("info --json prints one JSON document, and stop shuts the daemon down cleanly", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const { share, storage, downloadDir } = await dirs(root);
  await using daemon = await startDaemon({ shareDirs: [share], storage, downloadDir });
  const info = await runCli(["info", "--json", "--ui-address", daemon.uiAddress]);
  assert.equal(info.code, 0, info.stderr);
  const parsed = JSON.parse(info.stdout);
  assert.equal(parsed.uiAddress, daemon.uiAddress);

  const human = await runCli(["info", "--ui-address", daemon.uiAddress]);
  assert.match(human.stdout, new RegExp(`Name: +${parsed.name}`));

  const stop = await runCli(["stop", "--json", "--ui-address", daemon.uiAddress]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(JSON.parse(stop.stdout), { stopping: true });
  const status = await daemon.process.status;
  assert.equal(status.code, 0);
  assert.match(daemon.output(), /engine stopped/);
});

Deno.test("SIGINT stops cleanly and the state can be opened again at once", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const { share, storage, downloadDir } = await dirs(root);
  const daemon = await startDaemon({ shareDirs: [share], storage, downloadDir });
  const status = await daemon.kill("SIGINT");
  assert.equal(status.code, 0, daemon.output());
  assert.match(daemon.output(), /node stopped/);
  // KV was closed: the same storage opens again without complaint
  await using again = await startDaemon({ storage, downloadDir });
  assert.equal((await again.client.info()).shares.length, 1);
});

Deno.test("start refuses a share that does not exist with exit 2 and writes nothing", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const storage = join(root, "storage");
  const result = await runCli([
    "start",
    "--share-dir",
    join(root, "missing"),
    "--storage",
    storage,
    "--download-dir",
    join(root, "dl"),
    "--ui-address",
    "127.0.0.1:0",
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: --share-dir: ".*missing" does not exist/);
  await assert.rejects(Deno.stat(join(storage, "settings.json")), Deno.errors.NotFound);
});

Deno.test("a second daemon on a taken control address fails with a clear reason", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const { storage, downloadDir } = await dirs(root);
  await using daemon = await startDaemon({ storage, downloadDir });
  const other = await runCli([
    "start",
    "--storage",
    join(root, "other"),
    "--download-dir",
    downloadDir,
    "--ui-address",
    daemon.uiAddress,
    "--no-stun",
    "--no-mdns",
  ]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /address is in use/);
});

Deno.test("transfers at once changed through the API are kept after a restart; a flag given wins", async () => {
  await using tmp = await tempDir();
  const { storage, downloadDir } = await dirs(tmp.path);
  {
    await using daemon = await startDaemon({ storage, downloadDir });
    const counts = await daemon.client.setTransfers({ uploadSlots: 6, maxDownloads: 4 });
    assert.deepEqual(counts, { uploadSlots: 6, downloadsPerPeer: 8, maxDownloads: 4 });
    await assert.rejects(daemon.client.setTransfers({ uploadSlots: 0 }), /BAD_REQUEST|1 to 1000/);
    assert.deepEqual((await daemon.client.info()).transfers, counts);
    // the CLI shows and sets them through the same API
    const address = ["--ui-address", daemon.uiAddress];
    const shown = await runCli(["settings", ...address]);
    assert.match(shown.stdout, /Large uploads at once: +6\n/);
    const set = await runCli(["settings", "--downloads-per-peer", "3", "--json", ...address]);
    assert.deepEqual(JSON.parse(set.stdout), { ...counts, downloadsPerPeer: 3 });
    const bad = await runCli(["settings", "--max-downloads", "0", ...address]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--max-downloads must be a whole number from 1 to 1000/);
    await daemon.client.setTransfers({ downloadsPerPeer: 8 });
  }
  {
    await using again = await startDaemon({ storage, downloadDir });
    assert.deepEqual((await again.client.info()).transfers, {
      uploadSlots: 6,
      downloadsPerPeer: 8,
      maxDownloads: 4,
    });
  }
  await using flagged = await startDaemon({
    storage,
    downloadDir,
    extraArgs: ["--upload-slots", "2"],
  });
  assert.deepEqual((await flagged.client.info()).transfers, {
    uploadSlots: 2,
    downloadsPerPeer: 8,
    maxDownloads: 4,
  });
});
