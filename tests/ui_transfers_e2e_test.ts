/**
 * The Transfers screen end to end: two real daemons, B driven through headless Chromium while it
 * downloads a file and a folder of A's. Skipped, with the reason printed, where Chromium is not
 * installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import type { DownloadItem } from "../src/api/mod.ts";
import {
  artifactDir,
  browserMissing,
  click,
  launchBrowser,
  type PageGlobals,
  shoot,
  testId,
  waitForText,
  watchProblems,
} from "./helpers/browser.ts";
import { type Daemon, eventually, startDaemon, tempDir } from "./helpers/daemon.ts";

const missing = browserMissing();
if (missing) console.log(`Skipping the web UI Transfers test: ${missing}`);

const BIG = "Party/big.bin";
const FOLDER = "Party/Album";
const NOTE = "Party/Album/a.txt";

Deno.test({
  name:
    "Transfers counts, filters and clears downloads; a file downloaded again is one row; Browse marks what is downloaded",
  ignore: missing !== undefined,
  fn: async () => {
    await using tmp = await tempDir();
    const share = join(tmp.path, "Party");
    await Deno.mkdir(join(share, "Album"), { recursive: true });
    const big = await Deno.open(join(share, "big.bin"), { create: true, write: true });
    await big.truncate(16 * 1024 ** 3); // sparse: a transfer that runs long, nothing to write
    big.close();
    await Deno.writeTextFile(join(share, "Album", "a.txt"), "A\n");
    await Deno.writeTextFile(join(share, "Album", "b.txt"), "B\n");
    await using a = await startDaemon({
      storage: join(tmp.path, "a"),
      downloadDir: join(tmp.path, "a-dl"),
      shareDirs: [share],
    });
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
    });
    await eventually(async () => {
      const [indexed] = await a.client.shares();
      return indexed && !indexed.scanning && indexed.files === 3 ? true : undefined;
    });
    const infoA = await a.client.info();
    assert.equal((await b.client.connect(infoA.announceAddress)).status, "connected");

    await using browser = await launchBrowser();
    const shots = await artifactDir();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await drive(page, b, infoA.publicKey, shots);
    } catch (error) {
      await shoot(page, shots, "transfers-failure").catch(() => {});
      console.log(b.output().split("\n").filter((l) => /WARN|ERROR/.test(l)).join("\n"));
      console.log(a.output().split("\n").filter((l) => /WARN|ERROR/.test(l)).join("\n"));
      throw error;
    }
    await shoot(page, shots, "transfers-cleared");
    assert.deepEqual(problems, []);
  },
});

async function drive(page: Page, b: Daemon, keyA: string, shots: string): Promise<void> {
  await page.goto(`http://${b.uiAddress}/#peers/${keyA}/Party`);
  await click(page, testId(`download-${BIG}`));
  await click(page, testId(`download-${FOLDER}`));
  const bigItem = await itemOf(b, BIG);
  const folder = await itemOf(b, FOLDER);

  // the tab counts what runs; the folder of two tiny files is done long before the big file
  await waitForText(page, testId("active-count"), "1");
  await waitForText(page, `${testId("entries")} ${testId(`downloaded-${FOLDER}`)}`, "Downloaded");
  assert.equal(await page.$(testId(`downloaded-${BIG}`)), null, "not yet downloaded");
  await click(page, testId("tab-transfers"));
  await waitForText(page, testId("total-speed"), /↓ [1-9][\d.]* (KiB|MiB)\/s/);
  await waitForText(page, testId(`transfer-state-${folder.id}`), "done");

  // filters
  await click(page, testId("filter-active"));
  assert.deepEqual(await rows(page), [`transfer-${bigItem.id}`]);
  await click(page, testId("filter-done"));
  assert.deepEqual(await rows(page), [`transfer-${folder.id}`]);
  await click(page, testId("filter-all"));
  assert.deepEqual(await rows(page), [`transfer-${bigItem.id}`, `transfer-${folder.id}`]);
  await shoot(page, shots, "transfers-running");

  // the big file is cancelled: nothing runs, and the tab has nothing to count
  await click(page, testId(`cancel-${bigItem.id}`));
  await click(page, testId(`cancel-${bigItem.id}-yes`)); // Cancel deletes the parts: it asks first
  await waitGone(page, testId(`transfer-${bigItem.id}`));
  await waitGone(page, testId("active-count"));

  // Clear finished forgets the done row; its files stay
  await click(page, testId("clear-finished"));
  await waitGone(page, testId("downloads"));
  assert.deepEqual(await b.client.downloads(), []);

  // a file downloaded twice is one done row
  for (let time = 0; time < 2; time++) {
    await page.goto(`http://${b.uiAddress}/#peers/${keyA}/${FOLDER}`);
    if (time > 0) await page.reload(); // a fresh Download button
    await click(page, testId(`download-${NOTE}`));
    await waitForText(page, testId(`download-${NOTE}`), "Queued");
    // one row for the file, however often it is downloaded (the older one goes once it is done)
    await eventually(
      async () => {
        const found = (await b.client.downloads()).filter((d) => d.path === NOTE);
        return found.length === 1 && found[0]!.state === "done" ? true : undefined;
      },
      15_000,
      { what: `one done row of ${NOTE}` },
    );
  }
  await waitForText(page, testId(`downloaded-${NOTE}`), "Downloaded");
  assert.equal(await page.$(testId("downloaded-Party/Album/b.txt")), null, "its row was cleared");
  await click(page, testId("tab-transfers"));
  const [note] = (await b.client.downloads()).filter((d) => d.path === NOTE);
  await waitForText(page, testId(`transfer-state-${note!.id}`), "done");
  assert.deepEqual(await rows(page), [`transfer-${note!.id}`]);
}

/** The download of `path`, once B has it. */
async function itemOf(b: Daemon, path: string): Promise<DownloadItem> {
  return await eventually(async () => (await b.client.downloads()).find((d) => d.path === path));
}

/** The test ids of the rows the Downloads card shows, in order. */
async function rows(page: Page): Promise<string[]> {
  return await page.$$eval(
    `${testId("downloads")} > li`,
    (items) => items.map((li) => li.getAttribute("data-testid") ?? ""),
  );
}

async function waitGone(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (sel: string) => (globalThis as unknown as PageGlobals).document.querySelector(sel) === null,
    {},
    selector,
  );
}
