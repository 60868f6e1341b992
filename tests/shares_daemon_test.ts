import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

Deno.test("shares added at run time restart the engine with a scope that can read them", async () => {
  await using tmp = await tempDir();
  const storage = join(tmp.path, "storage");
  const downloadDir = join(tmp.path, "downloads");
  const films = join(tmp.path, "Films");
  await Deno.mkdir(join(films, "Noir"), { recursive: true });
  await Deno.writeFile(join(films, "Noir", "The Third Man.mkv"), new Uint8Array(4096));
  await using daemon = await startDaemon({ storage, downloadDir });
  const before = await daemon.client.info();
  assert.deepEqual(before.shares, []);

  const add = await runCli(["shares", "add", films, "--json", "--ui-address", daemon.uiAddress]);
  assert.equal(add.code, 0, add.stderr);
  assert.deepEqual(JSON.parse(add.stdout).share, {
    name: "Films",
    path: await Deno.realPath(films),
    audience: "friends", // a new share is for friends until its owner says otherwise
  });

  const listing = await eventually(async () => {
    const page = await daemon.client.ls({ path: "Films", recursive: true });
    return page.partial ? undefined : page;
  });
  assert.deepEqual(listing.entries.map((e) => e.name), [
    "Films/Noir",
    "Films/Noir/The Third Man.mkv",
  ]);
  assert.deepEqual(listing.totals, { files: 1, bytes: 4096 });
  assert.equal((await daemon.client.info()).publicKey, before.publicKey);
  assert.match(daemon.output(), /restarting the engine with its new permission scope/);

  const list = await runCli(["shares", "--ui-address", daemon.uiAddress]);
  assert.match(list.stdout, /^Films\t4\.0 KiB\t1 files\t.*\tfor friends$/m);

  // the audience changes at once, without a restart, and is kept in the settings
  const set = await runCli([
    "shares",
    "audience",
    "Films",
    "everyone",
    "--json",
    "--ui-address",
    daemon.uiAddress,
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(JSON.parse(set.stdout).audience, "everyone");
  assert.equal((await daemon.client.shares())[0]?.audience, "everyone");
  const settings = JSON.parse(await Deno.readTextFile(join(storage, "settings.json")));
  assert.equal(settings.shares[0].audience, "everyone");
  const stranger = await runCli([
    "shares",
    "audience",
    "Films",
    "nobody-here",
    "--ui-address",
    daemon.uiAddress,
  ]);
  assert.equal(stranger.code, 1);
  assert.match(stranger.stderr, /No peer called "nobody-here"/);

  const rm = await runCli(["shares", "rm", "Films", "--ui-address", daemon.uiAddress]);
  assert.equal(rm.code, 0, rm.stderr);
  await eventually(async () => ((await daemon.client.shares()).length === 0 ? true : undefined));
  await assert.rejects(daemon.client.ls({ path: "Films" }), { code: "NOT_FOUND" });
});

Deno.test("adding a bad share is refused with a coded error and the daemon keeps running", async () => {
  await using tmp = await tempDir();
  const storage = join(tmp.path, "storage");
  await using daemon = await startDaemon({ storage, downloadDir: join(tmp.path, "dl") });
  const address = ["--ui-address", daemon.uiAddress];
  const missing = await runCli(["shares", "add", join(tmp.path, "missing"), ...address]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist \[NOT_FOUND\]/);
  const key = await runCli(["shares", "add", storage, ...address]);
  assert.match(key.stderr, /private key \[CONFLICT\]/);
  const parent = await runCli(["shares", "add", tmp.path, ...address]);
  assert.match(parent.stderr, /\[CONFLICT\]/);
  await Deno.writeTextFile(join(tmp.path, "file.txt"), "x");
  const file = await runCli(["shares", "add", join(tmp.path, "file.txt"), ...address]);
  assert.match(file.stderr, /not a directory \[BAD_REQUEST\]/);
  const rm = await runCli(["shares", "rm", "nope", ...address]);
  assert.match(rm.stderr, /No share named "nope" \[NOT_FOUND\]/);
  const usage = await runCli(["shares", "frob", ...address]);
  assert.equal(usage.code, 2);
  assert.deepEqual((await daemon.client.info()).shares, []);
});

Deno.test("a folder shared already is refused (CONFLICT), also through a symlink; --audience changes it; a restart with its --share-dir keeps it", async () => {
  await using tmp = await tempDir();
  const storage = join(tmp.path, "storage");
  const films = join(tmp.path, "Films");
  await Deno.mkdir(films);
  await Deno.symlink(films, join(tmp.path, "link"));
  const options = { storage, downloadDir: join(tmp.path, "dl"), shareDirs: [films] };
  {
    await using daemon = await startDaemon(options);
    const address = ["--ui-address", daemon.uiAddress];
    const again = await runCli(["shares", "add", films, ...address]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /it is shared already, as "Films" \[CONFLICT\]/);
    const link = await runCli(["shares", "add", join(tmp.path, "link"), ...address]);
    assert.match(link.stderr, /shared already.*\[CONFLICT\]/);
    const audience = await runCli(["shares", "add", films, "--audience", "friends", ...address]);
    assert.equal(audience.code, 0, audience.stderr);
    const shares = await eventually(async () => {
      const list = await daemon.client.shares();
      return list[0]?.audience === "friends" ? list : undefined;
    });
    assert.equal(shares.length, 1);
  }
  await using restarted = await startDaemon(options);
  assert.deepEqual((await restarted.client.info()).shares.map((s) => s.name), ["Films"]);
});
