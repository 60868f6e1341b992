/**
 * The Settings screen, shares refused twice and removed with a confirmation, peers forgotten and
 * connected without waiting, and toasts: real daemons driven through headless Chromium. Skipped,
 * with the reason printed, where Chromium is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import {
  BROWSER_TIMEOUT_MS,
  browserMissing,
  click,
  explainFailure,
  fill,
  launchBrowser,
  type PageGlobals,
  testId,
  waitForText,
  watchProblems,
} from "./helpers/browser.ts";
import { eventually, startDaemon, tempDir } from "./helpers/daemon.ts";

const missing = browserMissing();
if (missing) console.log(`Skipping the web UI settings end-to-end tests: ${missing}`);
const ignore = missing !== undefined;

Deno.test({
  name: "Settings shows the daemon's setup; a share added twice is refused, removed when confirmed",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    await Deno.mkdir(join(tmp.path, "Party"));
    await Deno.writeTextFile(join(tmp.path, "Party", "notes.txt"), "snacks\n");
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
      extraArgs: ["--upload-slots", "5"],
      // `~/Party` is the folder above; Deno's cache stays where it was
      env: { HOME: tmp.path, DENO_DIR: await denoDir() },
    });
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await explainFailure(page, problems, [a], async () => {
      await page.goto(`http://${a.uiAddress}/#settings`);
      await waitForText(page, testId("setting-download-dir"), join(tmp.path, "a-dl"));
      await waitForText(page, testId("setting-upload-slots"), "5");
      await waitForText(page, testId("setting-max-downloads"), "16");
      await waitForText(page, testId("setting-port-mapping"), "off (--no-port-mapping)");
      await waitForText(page, testId("settings-limits-link"), "Limits");
      // the title follows the view; after a navigation the new screen's heading has the focus
      assert.equal(await page.title(), "Settings · harddrive-party");
      await click(page, testId("tab-transfers"));
      await page.waitForFunction(() =>
        (globalThis as unknown as { document: { title: string } }).document.title ===
          "Transfers · harddrive-party"
      );
      const focused = await page.evaluate(() => {
        const active =
          (globalThis as unknown as { document: { activeElement: HeadingLike | null } })
            .document.activeElement;
        return `${active?.tagName} ${active?.textContent} ${
          active?.closest("[data-tab]")?.dataset.tab
        }`;
      });
      assert.equal(focused, "H2 Bandwidth transfers");
      await click(page, testId("tab-settings"));

      // transfers at once change here, at once (the flag gave 5)
      await fill(page, testId("count-upload-slots"), "7");
      await click(page, testId("transfers-save"));
      await waitForText(page, testId("setting-upload-slots"), "7");
      assert.equal((await a.client.info()).transfers.uploadSlots, 7);
      await fill(page, testId("count-max-downloads"), "0");
      await click(page, testId("transfers-save"));
      await waitForText(page, testId("transfers-form"), "give a whole number from 1 to 1000");
      assert.equal((await a.client.info()).transfers.maxDownloads, 16);

      await click(page, testId("settings-shares-link"));
      await addShare(page, "~/Party");
      await waitForText(page, testId("share-stats-Party"), "1 file");
      assert.equal(
        (await a.client.shares())[0]?.path,
        await Deno.realPath(join(tmp.path, "Party")),
      );
      await waitForText(page, testId("link-state"), "Live");
      await addShare(page, join(tmp.path, "Party"));
      await waitForText(page, `${testId("shares")} ${testId("error")}`, "shared already");
      assert.equal((await a.client.shares()).length, 1);

      // Remove asks first: No keeps the share, Yes removes it
      await click(page, testId("remove-share-Party"));
      await click(page, testId("remove-share-Party-no"));
      await waitForText(page, testId("remove-share-Party"), "Remove");
      await click(page, testId("remove-share-Party"));
      await click(page, testId("remove-share-Party-yes"));
      await page.waitForSelector(testId("share-Party"), { hidden: true });
      assert.deepEqual(await a.client.shares(), []);
      // the API is away while the engine restarts, and the second add answers 409: both expected
      assert.deepEqual(problems.filter((p) => p.startsWith("page error")), []);
    });
  },
});

Deno.test({
  name: "a peer that connects or goes away shows a toast; a peer is forgotten when confirmed",
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
    const infoB = await b.client.info();
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`http://${a.uiAddress}/#peers`);
    await waitForText(page, testId("link-state"), "Live");
    await fill(page, testId("connect-input"), infoB.announceAddress);
    await click(page, testId("connect-button"));
    await waitForToast(page, `${infoB.name} connected`);
    await waitForText(page, testId(`peer-status-${infoB.name}`), "connected");
    const toast = await page.$eval(testId("toasts"), (el) => el.getAttribute("role"));
    assert.equal(toast, "status");

    // B stops: it went away, and A redials it until it is forgotten
    await b.kill();
    await waitForToast(page, `${infoB.name} went away`);
    await click(page, testId(`forget-peer-${infoB.name}`));
    await click(page, testId(`forget-peer-${infoB.name}-yes`));
    await page.waitForSelector(testId(`peer-${infoB.name}`), { hidden: true });
    assert.deepEqual((await a.client.peers()).map((p) => p.name), []);
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name:
    "connecting to a peer that is away answers at once with connecting, and it can be forgotten",
  ignore,
  fn: async () => {
    await using tmp = await tempDir();
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
    });
    const gone = await startDaemon({
      storage: join(tmp.path, "c"),
      downloadDir: join(tmp.path, "c-dl"),
    });
    const infoC = await gone.client.info();
    await gone.kill();
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`http://${a.uiAddress}/#peers`);
    await waitForText(page, testId("link-state"), "Live");
    await fill(page, testId("connect-input"), infoC.announceAddress);
    const started = Date.now();
    await click(page, testId("connect-button"));
    const dialling = new RegExp(`Connecting to ${infoC.name}|${infoC.name} does not answer`);
    await waitForText(page, testId("connect-dialling"), dialling);
    assert.ok(Date.now() - started < BROWSER_TIMEOUT_MS / 6, "the form did not wait for the dial");
    await waitForText(page, testId(`peer-status-${infoC.name}`), /connecting|failed/);
    await click(page, testId(`forget-peer-${infoC.name}`));
    await click(page, testId(`forget-peer-${infoC.name}-yes`));
    await page.waitForSelector(testId(`peer-${infoC.name}`), { hidden: true });
    await eventually(async () => (await a.client.peers()).length === 0 ? true : undefined);
  },
});

/** Waits until a toast says `text` (the toast list is fixed: not the helpers' "displayed"). */
async function waitForToast(page: Page, text: string): Promise<void> {
  const handle = await page.waitForFunction(
    (sel: string, want: string) =>
      ((globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent ?? "")
        .includes(want),
    { timeout: BROWSER_TIMEOUT_MS },
    testId("toasts"),
    text,
  );
  await handle.dispose();
}

async function addShare(page: Page, path: string): Promise<void> {
  await fill(page, testId("share-path-input"), path);
  await click(page, testId("share-add-button"));
}

/** What the test reads of the focused element. */
interface HeadingLike {
  tagName: string;
  textContent: string | null;
  closest(selector: string): { dataset: Record<string, string> } | null;
}

/** Where Deno keeps its cache now, for a child given another HOME. */
async function denoDir(): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir;
}
