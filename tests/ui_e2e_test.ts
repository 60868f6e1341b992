/**
 * The web UI end to end: real daemons as child processes, driven through headless Chromium.
 * Skipped, with the reason printed, where Chromium is not installed.
 *
 * Screenshots go to `HDP_TEST_ARTIFACTS` (default: a new temporary directory, printed and kept);
 * with `HDP_UPDATE_SCREENSHOTS=1` the README's set in docs/ is replaced too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Page } from "puppeteer-core";
import { createClient, type DownloadItem } from "../src/api/mod.ts";
import type { Audience } from "../src/api/light.ts";
import {
  artifactDir,
  browserMissing,
  click,
  fill,
  launchBrowser,
  type PageElement,
  type PageGlobals,
  recordStatuses,
  shoot,
  testId,
  waitForText,
  watchProblems,
} from "./helpers/browser.ts";
import { type Daemon, eventually, runCli, startDaemon, tempDir } from "./helpers/daemon.ts";

const missing = browserMissing();
if (missing) console.log(`Skipping the web UI end-to-end tests: ${missing}`);
const ignore = missing !== undefined;

const DOCS = new URL("../docs/", import.meta.url).pathname;
const DOC_SHOTS = ["home", "peers", "search", "transfers"];

Deno.test({
  name: "two nodes connect through the web UI, browse, download a folder and open the file",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const share = join(tmp.path, "Party");
    const album = join(share, "Album");
    await Deno.mkdir(album, { recursive: true });
    const png = await gradientPng(160, 100);
    const notes = "Bring snacks, cables and a spare hard drive.\n";
    await Deno.writeFile(join(album, "sunset.png"), png);
    await Deno.writeTextFile(join(album, "notes.txt"), notes);
    await Deno.writeTextFile(join(album, "tracklist.txt"), "1. Opening\n2. Closing\n");
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
      shareDirs: [share],
    });
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
    });
    await using browser = await launchBrowser();
    const shots = await artifactDir();
    const infoA = await a.client.info();
    await eventually(async () => {
      const [indexed] = await a.client.shares();
      return indexed && !indexed.scanning && indexed.files === 3 ? true : undefined;
    });

    // A's Home shows who it is and the address to give to B
    const pageA = await browser.newPage();
    await pageA.goto(`http://${a.uiAddress}/#home`);
    await waitForText(pageA, testId("own-name"), infoA.name);
    await waitForText(pageA, testId("share-stats-Party"), "3 files");
    const announce = (await waitForText(pageA, testId("announce-address"), "hdp1")).trim();
    assert.equal(announce, infoA.announceAddress);
    // how peers reach it, and what the router was asked (the tests' daemons do not ask)
    await waitForText(pageA, testId("candidates"), /\d+:\d+ \((lan|public)\)/);
    await waitForText(pageA, testId("port-mapping"), "off (--no-port-mapping)");
    await shoot(pageA, shots, "home");
    // A browses its own share (Home's "Browse"): its files are listed, with nothing to download
    await pageA.goto(`http://${a.uiAddress}/#peers/${infoA.publicKey}/Party/Album`);
    await waitForText(pageA, testId("entry-Party/Album/notes.txt"), "notes.txt");
    assert.equal(await pageA.$(testId("download-Party/Album/notes.txt")), null);
    assert.equal(await pageA.$(testId("download-Party/Album")), null);
    await pageA.close();

    const page = await browser.newPage();
    try {
      await driveB(page, { b, peer: infoA.name, announce, png, notes, shots });
    } catch (error) {
      await shoot(page, shots, "failure").catch(() => {});
      throw error;
    }
    await publishScreenshots(shots);
  },
});

/** What the browsing part of the first test needs. */
interface DriveOptions {
  b: Daemon;
  /** A's name. */
  peer: string;
  announce: string;
  png: Uint8Array;
  notes: string;
  shots: string;
}

/** On B's page: connects to A, browses, downloads, opens, searches, and takes screenshots. */
async function driveB(
  page: Page,
  { b, peer, announce, png, notes, shots }: DriveOptions,
): Promise<void> {
  const problems = watchProblems(page);
  await page.goto(`http://${b.uiAddress}/#peers`);
  await waitForText(page, testId("link-state"), "Live");
  await fill(page, testId("connect-input"), announce);
  await click(page, testId("connect-button"));
  await waitForText(page, testId(`peer-status-${peer}`), "connected");
  await waitForText(page, testId(`peer-path-${peer}`), /^Connected via IPv[46] (lan|direct)$/);
  await shoot(page, shots, "peers-list");

  // into the share and its folder, up again by the breadcrumbs, and down
  const entries = testId("entries");
  await click(page, testId(`peer-${peer}`));
  await click(page, `${entries} ${testId("entry-Party")} a`);
  await click(page, `${entries} ${testId("entry-Party/Album")} a`);
  await waitForText(page, `${entries} ${testId("entry-Party/Album/sunset.png")}`, "sunset.png");
  assert.equal(await crumbText(page), `Peers/${peer}/Party/Album`);
  assert.deepEqual(await testIdsIn(page, entries, "entry-"), [
    "entry-Party/Album/notes.txt",
    "entry-Party/Album/sunset.png",
    "entry-Party/Album/tracklist.txt",
  ]);
  await click(page, `${testId("breadcrumbs")} a[href$="/Party"]`);
  await waitForText(page, `${entries} ${testId("entry-Party/Album")}`, "Album");
  assert.equal(await crumbText(page), `Peers/${peer}/Party`);
  await click(page, `${entries} ${testId("entry-Party/Album")} a`);
  await waitForText(page, testId("breadcrumbs"), "Album");
  await waitForText(page, `${entries} ${testId("entry-Party/Album/notes.txt")}`, "notes.txt");
  await shoot(page, shots, "peers");

  // the whole folder
  await click(page, testId("download-Party/Album"));
  await waitForText(page, testId("download-Party/Album"), "Queued");
  const folder = await queued(b, "Party/Album");
  await click(page, testId("tab-transfers"));
  await waitForDone(page, folder.id);
  await waitForText(page, testId(`transfer-${folder.id}`), "3 files");
  const saved = `${peer}/Party/Album`;
  assert.equal(await fetchText(page, `${saved}/notes.txt`), notes);
  assert.deepEqual(await fetchBytes(page, `${saved}/sunset.png`), png);
  // the finished folder shows what it holds, each file with an Open link
  await click(page, testId(`show-files-${folder.id}`));
  await waitForText(page, testId(`downloaded-entry-${saved}/notes.txt`), "notes.txt");
  const href = await page.$eval(testId(`open-${saved}/notes.txt`), (a) => a.getAttribute("href"));
  assert.equal(href, `/files/${saved.split("/").map(encodeURIComponent).join("/")}/notes.txt`);
  await shoot(page, shots, "finished-folder");

  // single files have an Open link and, for pictures, a preview
  await page.goBack();
  await click(page, `${entries} ${testId("download-Party/Album/notes.txt")}`);
  await click(page, `${entries} ${testId("download-Party/Album/sunset.png")}`);
  const text = await queued(b, "Party/Album/notes.txt");
  const picture = await queued(b, "Party/Album/sunset.png");
  await click(page, testId("tab-transfers"));
  await waitForDone(page, text.id);
  await waitForDone(page, picture.id);
  const opened = page.browser().waitForTarget((t) => t.url().includes("/files/"));
  await click(page, testId(`open-${text.id}`));
  const tab = await (await opened).page();
  assert.ok(tab, "the Open link opens a tab");
  await tab.waitForSelector("pre");
  assert.equal(await tab.$eval("pre", (pre) => pre.textContent), notes);
  await tab.close();
  await click(page, `${testId(`transfer-${picture.id}`)} .finished button`);
  await page.waitForFunction(
    (selector: string) => {
      const img = (globalThis as unknown as PageGlobals).document.querySelector(selector) as
        | (PageElement & { complete: boolean; naturalWidth: number })
        | null;
      return img !== null && img.complete && img.naturalWidth === 160;
    },
    {},
    `${testId(`transfer-${picture.id}`)} .preview img`,
  );
  await shoot(page, shots, "transfers");

  await click(page, testId("tab-search"));
  await fill(page, testId("search-input"), "sunset");
  await click(page, testId("search-button"));
  const results = testId(`results-${peer}`);
  await waitForText(page, `${results} ${testId("entry-Party/Album/sunset.png")}`, "sunset.png");
  assert.deepEqual(await testIdsIn(page, results, "entry-"), ["entry-Party/Album/sunset.png"]);
  await shoot(page, shots, "search");
  // narrowed to a kind: a picture is no song
  await page.select(testId("search-kind"), "audio");
  await click(page, testId("search-button"));
  await waitForText(page, results, "Nothing matches");
  await page.select(testId("search-kind"), "pictures");
  await click(page, testId("search-button"));
  await waitForText(page, `${results} ${testId("entry-Party/Album/sunset.png")}`, "sunset.png");
  await waitForText(page, results, "1 file");

  assert.deepEqual(problems, []);
}

Deno.test({
  name: "the uploader cancels an upload from its Transfers tab; the peer's download says why",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const share = join(tmp.path, "Films");
    await Deno.mkdir(share);
    const big = await Deno.open(join(share, "long.mkv"), { create: true, write: true });
    await big.truncate(16 * 1024 ** 3); // sparse: a transfer that runs long, nothing to write
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
    const item = await eventually(async () => {
      try {
        return await b.client.download(infoA.name, "Films/long.mkv");
      } catch {
        return undefined; // not indexed yet
      }
    });
    const upload = await eventually(async () =>
      (await a.client.uploads()).find((u) => u.state === "uploading")
    );
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`http://${a.uiAddress}/#transfers`);
    await waitForText(page, testId(`upload-${upload.id}`), "long.mkv");
    await click(page, testId(`cancel-upload-${upload.id}`));
    await page.waitForFunction(
      (sel: string) => (globalThis as unknown as PageGlobals).document.querySelector(sel) === null,
      {},
      testId(`upload-${upload.id}`),
    );
    const failed = await eventually(async () => {
      const now = (await b.client.downloads()).find((d) => d.id === item.id);
      return now?.state === "failed" ? now : undefined;
    });
    assert.equal(failed.problem?.code, "CANCELLED");
    assert.deepEqual(await a.client.uploads(), []);
    // B's card words it
    const pageB = await browser.newPage();
    await pageB.goto(`http://${b.uiAddress}/#transfers`);
    await waitForText(pageB, testId(`transfer-problem-${item.id}`), "Cancelled by the peer");
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "a friend request is accepted in the web UI, which then changes who sees a share",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    const share = join(tmp.path, "Party");
    await Deno.mkdir(share);
    await Deno.writeTextFile(join(share, "invite.txt"), "Saturday, 8 pm\n");
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
      shareDirs: [share],
      audience: "friends",
    });
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
    });
    const [infoA, infoB] = await Promise.all([a.client.info(), b.client.info()]);
    const friend = infoB.name;
    await using browser = await launchBrowser();
    const shots = await artifactDir();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`http://${a.uiAddress}/#friends`);
      await waitForText(page, testId("link-state"), "Live");
      await waitForText(page, testId("accept-policy"), "Anyone");
      await waitForText(page, testId("unlisted"), "Yes");
      await waitForText(page, testId("audience-now-Party"), "Friends only");
      await waitForText(page, testId("friend-requests"), "No requests");

      // B dials A's announce address: on A, that is a friend request
      await b.client.connect(infoA.announceAddress);
      await waitForText(page, testId(`request-${friend}`), `${friend} wants to be your friend`);
      await waitForText(page, testId("requests-count"), "1");
      await waitForText(page, testId(`standing-${friend}`), "asks to be a friend");
      // the Peers screen says so too, and leads back here
      await click(page, testId("tab-peers"));
      await waitForText(page, testId("requests-notice"), `${friend} wants to be your friend`);
      await waitForText(page, testId(`peer-standing-${friend}`), "asks to be a friend");
      await shoot(page, shots, "friend-request");
      await click(page, testId("requests-answer"));
      await shoot(page, shots, "friends");
      await publishScreenshots(shots, ["friends"]);

      await click(page, testId(`accept-${friend}`));
      await waitForText(page, testId(`standing-${friend}`), /^friend$/);
      await waitForText(page, testId("friend-requests"), "No requests");
      await waitForGone(page, testId("requests-count"));
      const accepted = await eventually(async () =>
        (await a.client.peers()).find((p) =>
          p.keyHex === infoB.publicKey && p.standing === "friend"
        )
      );
      assert.equal(accepted.name, friend);
      // a friend sees the friends-only share
      await eventually(async () => {
        const listing = await b.client.peerLs(infoA.name, { path: "" });
        return listing.entries.some((e) => e.name === "Party") ? true : undefined;
      });

      await choose(page, testId("audience-Party"), "everyone");
      await waitForAudience(a, "everyone");
      await waitForText(page, testId("audience-now-Party"), "Everyone connected");

      // chosen peers are ticked, then saved
      await choose(page, testId("audience-Party"), "peers");
      await click(page, testId(`audience-peer-Party-${friend}`));
      await shoot(page, shots, "share-audience");
      await click(page, testId("audience-save-Party"));
      await waitForAudience(a, { peers: [infoB.publicKey] });
      await waitForText(page, testId("audience-now-Party"), "1 chosen peer");

      await choose(page, testId("audience-Party"), "friends");
      await waitForAudience(a, "friends");
      await waitForText(page, testId("audience-now-Party"), "Friends only");
      await click(page, testId("tab-home"));
      await waitForText(page, testId("share-audience-Party"), "Friends only");
      assert.deepEqual(problems, []);
    } catch (error) {
      await shoot(page, shots, "failure").catch(() => {});
      throw error;
    }
  },
});

Deno.test({
  name: "the owner limits the bandwidth from the web UI: a limit, a schedule, a peer's cap",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
    });
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
    });
    const [infoA, infoB] = await Promise.all([a.client.info(), b.client.info()]);
    await using browser = await launchBrowser();
    const shots = await artifactDir();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`http://${a.uiAddress}/#transfers`);
      await waitForText(page, testId("link-state"), "Live");
      await waitForText(page, testId("rate-upload"), "unlimited");
      await waitForText(page, testId("schedule-in-force"), "No schedules");

      await fill(page, testId("limit-upload"), "5MB/s");
      await click(page, testId("limits-save"));
      await waitForText(page, testId("rate-upload"), /^↑ .+ of 5 MB\/s$/);
      // the card shows the daemon's answer: it has the limit by now
      assert.equal((await a.client.bandwidth()).limits.upload, 5_000_000);
      assert.equal(await inputValue(page, testId("limit-upload")), "5 MB/s");

      // a rate that does not parse is refused beside the form, and nothing changes
      await fill(page, testId("limit-download"), "fast");
      await click(page, testId("limits-save"));
      await waitForText(
        page,
        `.limits-form ${testId("error")}`,
        'Download limit: Not a rate: "fast"',
      );
      assert.equal((await a.client.bandwidth()).limits.download, 0);
      await fill(page, testId("limit-download"), "unlimited");
      await click(page, testId("limits-save"));
      await waitForGone(page, `.limits-form ${testId("error")}`);

      // from 00:00 to 00:00 every day: in force whatever the time the test runs at
      await fill(page, testId("schedule-input-name"), "always");
      await fill(page, testId("schedule-input-days"), "daily");
      await fill(page, testId("schedule-input-from"), "00:00");
      await fill(page, testId("schedule-input-to"), "00:00");
      await fill(page, testId("schedule-input-upload"), "2MB/s");
      await click(page, testId("schedule-add"));
      await waitForText(page, testId("schedule-row-always"), "daily 00:00–00:00");
      await waitForText(page, testId("schedule-row-always"), "upload 2 MB/s");
      assert.deepEqual((await a.client.bandwidth()).schedules, [
        { name: "always", days: [0, 1, 2, 3, 4, 5, 6], from: "00:00", to: "00:00", upload: 2e6 },
      ]);
      await waitForText(page, testId("schedule-in-force"), 'Schedule "always" is in force');
      await waitForText(page, testId("rate-upload"), /of 2 MB\/s$/);
      await waitForText(page, testId("rate-download"), /, unlimited$/);
      await shoot(page, shots, "bandwidth", { fullPage: true });

      await click(page, testId("remove-schedule-always"));
      await waitForGone(page, testId("schedule-row-always"));
      assert.deepEqual((await a.client.bandwidth()).schedules, []);
      await waitForText(page, testId("rate-upload"), /of 5 MB\/s$/);

      await fill(page, testId("limit-upload"), "unlimited");
      await click(page, testId("limits-save"));
      await waitForText(page, testId("rate-upload"), /^↑ .+, unlimited$/);
      assert.deepEqual((await a.client.bandwidth()).limits, { upload: 0, download: 0 });

      // B dials A: on A's Friends screen it has a row, with a Limit control
      await b.client.connect(infoA.announceAddress);
      await click(page, testId("tab-friends"));
      const peer = infoB.name;
      await waitForText(page, testId(`standing-row-${peer}`), peer);
      await click(page, testId(`limit-${peer}`));
      await fill(page, testId(`peer-limit-input-${peer}`), "1MB/s");
      await click(page, testId(`peer-limit-save-${peer}`));
      await waitForText(page, testId(`peer-cap-${peer}`), "Speed cap: 1 MB/s");
      assert.deepEqual((await a.client.bandwidth()).peers, {
        [infoB.publicKey]: { upload: 1e6, download: 1e6 },
      });
      await click(page, testId(`limit-${peer}`));
      await click(page, testId(`peer-limit-clear-${peer}`));
      await waitForGone(page, testId(`peer-cap-${peer}`));
      assert.deepEqual((await a.client.bandwidth()).peers, {});
      assert.deepEqual(problems, []);
    } catch (error) {
      await shoot(page, shots, "failure").catch(() => {});
      throw error;
    }
  },
});

Deno.test({
  name: "a foreign origin cannot drive the daemon",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
    });
    const port = Number(b.uiAddress.split(":").pop());

    // fetch sets Host itself: ask by hand, as a page reached through a rebound name would
    const rebound = await rawGet(b.uiAddress, "/api/info", `rebind.test:${port}`);
    assert.match(rebound, /^HTTP\/1\.1 403 /);
    assert.match(rebound, /"code":"FORBIDDEN"/);
    const proper = await rawGet(b.uiAddress, "/api/info", b.uiAddress);
    assert.match(proper, /^HTTP\/1\.1 200 /, "the same request with the right Host is answered");

    await using foreign = serveForeignPage(b.uiAddress);
    await using browser = await launchBrowser({
      args: ["--host-resolver-rules=MAP rebind.test 127.0.0.1"],
    });
    const page = await browser.newPage();
    const statuses = await recordStatuses(page);
    const consoleLines: string[] = [];
    page.on("console", (message) => consoleLines.push(message.text()));
    await page.goto(foreign.url);
    await page.waitForFunction(() => "outcome" in globalThis);
    const outcome = await page.evaluate(() => Reflect.get(globalThis, "outcome"));
    assert.equal(await statuses.statusOf(`http://${b.uiAddress}/api/stop`), 403);
    assert.equal(outcome.stop, "failed: Failed to fetch", "the page cannot even read the refusal");
    assert.equal(outcome.events, "refused");
    assert.ok(
      consoleLines.some((line) => /\/api\/events.*Unexpected response code: 403/.test(line)),
      consoleLines.join("\n"),
    );

    // a plain form post needs no CORS at all: only the daemon's Origin check stops it
    const [posted] = await Promise.all([page.waitForNavigation(), page.click("#stop")]);
    assert.equal(posted?.status(), 403);
    assert.match(await page.$eval("body", (body) => body.textContent ?? ""), /FORBIDDEN/);

    // DNS rebinding: another name for 127.0.0.1 gets neither the page nor the API
    const rebindPage = await page.goto(`http://rebind.test:${port}/`);
    assert.equal(rebindPage?.status(), 403);
    const api = await page.goto(`http://rebind.test:${port}/api/info`);
    assert.equal(api?.status(), 403);

    assert.equal((await b.client.info()).uiAddress, b.uiAddress, "the daemon still runs");

    // the same stop from the daemon's own page works, so the refusals above were the guard's
    await page.goto(`http://${b.uiAddress}/#home`);
    const own = await page.evaluate(async () =>
      (await fetch("/api/stop", { method: "POST" })).status
    );
    assert.equal(own, 202);
    assert.equal((await b.process.status).code, 0);
  },
});

Deno.test({
  name: "beyond loopback the UI asks for the token",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    await using daemon = await startDaemon({
      storage: join(tmp.path, "d"),
      downloadDir: join(tmp.path, "d-dl"),
      extraArgs: ["--ui-address", "0.0.0.0:0"],
    });
    assert.match(daemon.uiAddress, /^0\.0\.0\.0:\d+$/, "the last --ui-address wins");
    const token = daemon.output().match(/API token:\s+(\S+)/)?.[1];
    assert.ok(token, daemon.output());
    const local = `127.0.0.1:${daemon.uiAddress.split(":").pop()}`;
    const info = await createClient(`http://${local}`, { token }).info();

    const refused = await runCli(["info", "--ui-address", local]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UNAUTHORIZED/);
    const allowed = await runCli(["info", "--ui-address", local, "--token", token]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, new RegExp(info.name));

    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`http://${local}/`);
    const input = testId("token-input");
    await page.waitForSelector(input, { visible: true });
    assert.equal(await page.$('main.login [role="alert"]'), null, "no complaint before a try");
    await fill(page, input, "not-the-token");
    await click(page, testId("token-submit"));
    await waitForText(page, 'main.login [role="alert"]', "That token was refused");
    await fill(page, input, token);
    await click(page, testId("token-submit"));
    await waitForText(page, testId("own-name"), info.name);
    await waitForText(page, testId("link-state"), "Live");

    // the token is remembered: a reload goes straight in
    await page.reload();
    await waitForText(page, testId("own-name"), info.name);
    assert.deepEqual(
      problems.filter((p) => !p.includes("401")),
      [],
      "nothing but the refused tries failed",
    );
  },
});

/** Copies the README's screenshots into docs/ when asked to. */
async function publishScreenshots(dir: string, names = DOC_SHOTS): Promise<void> {
  if (Deno.env.get("HDP_UPDATE_SCREENSHOTS") !== "1") return;
  await Deno.mkdir(DOCS, { recursive: true });
  for (const name of names) {
    const file = `screenshot-${name}.png`;
    await Deno.copyFile(join(dir, file), join(DOCS, file));
  }
}

/** The item the daemon queued for `path` after a click on its Download button. */
function queued(daemon: Daemon, path: string): Promise<DownloadItem> {
  return eventually(async () => (await daemon.client.downloads()).find((d) => d.path === path));
}

/** Picks `value` in the select `selector` once it is enabled (it is disabled while it saves). */
async function choose(page: Page, selector: string, value: string): Promise<void> {
  await page.waitForSelector(`${selector}:not([disabled])`, { visible: true });
  await page.select(selector, value);
}

/** The value of the input `selector`, as the page has it. */
async function inputValue(page: Page, selector: string): Promise<string> {
  return await page.$eval(selector, (input) => (input as unknown as { value: string }).value);
}

/** Waits until the element `selector` is no longer in the page. */
async function waitForGone(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (sel: string) => (globalThis as unknown as PageGlobals).document.querySelector(sel) === null,
    {},
    selector,
  );
}

/** Waits until the daemon's share "Party" has `audience`. */
async function waitForAudience(daemon: Daemon, audience: Audience): Promise<void> {
  await eventually(
    async () => {
      const share = (await daemon.client.shares()).find((s) => s.name === "Party");
      return share && isDeepStrictEqual(share.audience, audience) ? true : undefined;
    },
    15_000,
    { what: `the audience ${JSON.stringify(audience)}` },
  );
}

/** Waits until a download is done, failing at once when it failed. */
async function waitForDone(page: Page, id: string): Promise<void> {
  const badge = testId(`transfer-state-${id}`);
  const state = await waitForText(page, badge, /^(done|failed)$/);
  const card = await page.$eval(testId(`transfer-${id}`), (li) => li.textContent);
  assert.equal(state, "done", card ?? "");
}

async function crumbText(page: Page): Promise<string> {
  return await page.$eval(testId("breadcrumbs"), (nav) => (nav.textContent ?? "").trim());
}

async function testIdsIn(page: Page, within: string, prefix: string): Promise<string[]> {
  return await page.$$eval(
    `${within} [data-testid^="${prefix}"]`,
    (elements) => elements.map((e) => e.getAttribute("data-testid") ?? ""),
  );
}

/** A downloaded file as the page gets it from the daemon's /files/ route. */
async function fetchBytes(page: Page, localPath: string): Promise<Uint8Array> {
  const url = `/files/${localPath.split("/").map(encodeURIComponent).join("/")}`;
  const bytes = await page.evaluate(async (u: string) => {
    const response = await fetch(u);
    if (!response.ok) throw new Error(`${u} answered ${response.status}`);
    return [...new Uint8Array(await response.arrayBuffer())];
  }, url);
  return new Uint8Array(bytes);
}

async function fetchText(page: Page, localPath: string): Promise<string> {
  return new TextDecoder().decode(await fetchBytes(page, localPath));
}

/** A GET sent by hand with the given Host header; the whole answer as text. */
async function rawGet(address: string, path: string, host: string): Promise<string> {
  const [hostname = "", port = ""] = address.split(":");
  const connection = await Deno.connect({ hostname, port: Number(port) });
  const request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
  await connection.write(new TextEncoder().encode(request));
  return await new Response(connection.readable).text(); // closes the connection at its end
}

/** A page on another local origin that tries to stop the daemon at `target` and hear its events. */
function serveForeignPage(target: string): { url: string } & AsyncDisposable {
  const html = `<!doctype html>
<form method="post" action="http://${target}/api/stop"><button id="stop">Stop</button></form>
<script>
  (async () => {
    const outcome = {};
    try {
      outcome.stop = "status " + (await fetch("http://${target}/api/stop", { method: "POST" })).status;
    } catch (error) {
      outcome.stop = "failed: " + error.message;
    }
    outcome.events = await new Promise((resolve) => {
      const socket = new WebSocket("ws://${target}/api/events");
      socket.onopen = () => { socket.close(); resolve("open"); };
      socket.onerror = () => resolve("refused");
    });
    globalThis.outcome = outcome;
  })();
</script>`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A small RGB PNG with a sunset gradient, made here so the test needs no binary fixture. */
async function gradientPng(width: number, height: number): Promise<Uint8Array> {
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x++) {
      raw.set([255, 200 - (y * 120) / height, 60 + (x * 120) / width], row + 1 + x * 3);
    }
  }
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  const idat = new Uint8Array(await new Response(stream).arrayBuffer());
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter, no interlace
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return concat([
    new Uint8Array(signature),
    pngChunk("IHDR", header),
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat([new TextEncoder().encode(type), data]);
  const chunk = new Uint8Array(body.length + 8);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(body, 4);
  view.setUint32(body.length + 4, crc32(body));
  return chunk;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
