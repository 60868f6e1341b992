/**
 * Bandwidth limits with real daemons on loopback: a limited upload runs at its limit, a raised
 * limit takes effect mid-transfer, and the CLI shows and changes limits, schedules and caps.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { BandwidthStatus, DownloadItem, NodeInfo } from "../src/api/light.ts";
import { eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

const MB = 1_000_000;

Deno.test("a daemon started with --max-upload sends at that rate, and a raised limit takes effect mid-transfer", async () => {
  await using tmp = await tempDir();
  const share = join(tmp.path, "share");
  await Deno.mkdir(share);
  const file = await Deno.open(join(share, "film.mkv"), { create: true, write: true });
  await file.truncate(40 * MB);
  file.close();
  await using a = await startDaemon({
    storage: join(tmp.path, "a"),
    downloadDir: join(tmp.path, "a-dl"),
    shareDirs: [share],
    extraArgs: ["--max-upload", "4MB/s"],
  });
  await using b = await startDaemon({
    storage: join(tmp.path, "b"),
    downloadDir: join(tmp.path, "b-dl"),
  });
  const infoA = await a.client.info();
  assert.equal(infoA.bandwidth?.inForce.upload, 4 * MB);
  await b.client.connect(infoA.announceAddress);
  const item = await eventually(() => b.client.download(infoA.name, "share/film.mkv"));
  // B is another process: its progress is polled, and the rate measured between two samples
  const sample = async () => {
    const now = (await b.client.downloads()).find((d) => d.id === item.id)!;
    return { at: performance.now(), bytes: now.bytesDone, state: now.state };
  };
  const first = await eventually(async () => {
    const s = await sample();
    return s.bytes > 1 * MB ? s : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 3000)); // a span to measure a rate over
  const second = await sample();
  const limited = ((second.bytes - first.bytes) / (second.at - first.at)) * 1000;
  console.log(`limited to 4 MB/s: ${(limited / MB).toFixed(2)} MB/s`);
  assert.ok(limited < 4.6 * MB, `limited to 4 MB/s, it ran at ${(limited / MB).toFixed(2)} MB/s`);
  assert.ok(limited > 2.5 * MB, `it crawled at ${(limited / MB).toFixed(2)} MB/s`);

  // raised through the CLI mid-transfer: the rest arrives far faster
  const set = await runCli([
    "limits",
    "set",
    "--upload",
    "unlimited",
    "--json",
    "--ui-address",
    a.uiAddress,
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal((JSON.parse(set.stdout) as BandwidthStatus).inForce.upload, 0);
  const done = await eventually(async () => {
    const now = (await b.client.downloads()).find((d) => d.id === item.id) as DownloadItem;
    return now.state === "done" ? now : undefined;
  }, 20_000);
  assert.equal(done.bytesDone, 40 * MB);
  const status = await a.client.bandwidth();
  assert.ok(status.totals.upload >= 40 * MB, `counted ${status.totals.upload}`);
  assert.equal(status.history?.upload.length, 60);
});

Deno.test("limits, schedules and peer caps are set through the CLI, kept across a restart, and refused when malformed", async () => {
  await using tmp = await tempDir();
  const dirs = { storage: join(tmp.path, "a"), downloadDir: join(tmp.path, "a-dl") };
  let a = await startDaemon(dirs);
  await using b = await startDaemon({
    storage: join(tmp.path, "b"),
    downloadDir: join(tmp.path, "b-dl"),
  });
  try {
    const cli = (...args: string[]) => runCli([...args, "--json", "--ui-address", a.uiAddress]);
    const json = async (...args: string[]) => {
      const result = await cli(...args);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as BandwidthStatus;
    };
    let status = await json("limits", "set", "--download", "20MB/s");
    assert.deepEqual(status.limits, { upload: 0, download: 20 * MB });
    status = await json(
      "limits",
      "schedule",
      "add",
      "always",
      "--days",
      "daily",
      "--from",
      "00:00",
      "--to",
      "00:00",
      "--upload",
      "1MiB/s",
    );
    assert.deepEqual(status.inForce, {
      upload: 1024 * 1024,
      download: 20 * MB,
      schedule: "always",
    });
    const infoB = await b.client.info();
    await b.client.connect((await a.client.info()).announceAddress);
    status = await json("peers", "limit", infoB.name, "500KB/s");
    assert.deepEqual(status.peers[infoB.publicKey], { upload: 500_000, download: 500_000 });

    const bad = await runCli(["limits", "set", "--upload", "fast", "--ui-address", a.uiAddress]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--upload: Not a rate: "fast"/);
    const response = await fetch(`http://${a.uiAddress}/api/bandwidth`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ upload: -5 }),
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, "BAD_REQUEST");

    await a.kill("SIGTERM");
    a = await startDaemon(dirs);
    const after = await a.client.bandwidth();
    assert.deepEqual(after.limits, { upload: 0, download: 20 * MB });
    assert.equal(after.schedules[0]?.name, "always");
    assert.deepEqual(after.peers[infoB.publicKey], { upload: 500_000, download: 500_000 });
    const info: NodeInfo = await a.client.info();
    assert.equal(info.bandwidth?.inForce.schedule, "always");
    const human = await runCli(["limits", "--ui-address", a.uiAddress]);
    assert.match(
      human.stdout,
      /^Now \(schedule "always"\): upload 1\.05 MB\/s, download 20 MB\/s$/m,
    );
  } finally {
    await a.kill("SIGKILL");
  }
});
