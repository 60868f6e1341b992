/**
 * The web UI's player end to end: a peer's album and video streamed into real Chromium through
 * the read API, with seeking, the queue, the cover, tabs changing under it, and phone-sized tap
 * targets. Skipped, with the reason printed, where Chromium or ffmpeg is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import {
  artifactDir,
  BROWSER_TIMEOUT_MS,
  browserMissing,
  click,
  fill,
  launchBrowser,
  type PageElement,
  type PageGlobals,
  shoot,
  testId,
  waitForText,
  watchProblems,
} from "./helpers/browser.ts";
import { eventually, startDaemon, tempDir } from "./helpers/daemon.ts";
import { makePicture, makeTone, makeVideo, mediaToolsMissing } from "./helpers/media.ts";

const missing = browserMissing() ?? mediaToolsMissing({ tools: ["ffmpeg"] });
if (missing) console.log(`Skipping the web UI player test: ${missing}`);

const FOLDER = "Party/Album";
const FIRST = `${FOLDER}/01 Björk – Homogenic.mp3`;
const SECOND = `${FOLDER}/02 Evening.mp3`;
const FILM = `${FOLDER}/03 Film.webm`;
const COVER = `${FOLDER}/cover.jpg`;
const SECONDS = 20;

Deno.test({
  name: "a peer's album plays in the player bar: it seeks, goes on, survives tabs, shows its cover",
  ignore: missing !== undefined,
  fn: async () => {
    await using tmp = await tempDir();
    const album = join(tmp.path, "Party", "Album");
    await Deno.mkdir(album, { recursive: true });
    await Promise.all([
      makeTone(join(tmp.path, FIRST), SECONDS, { frequency: 440 }),
      makeTone(join(tmp.path, SECOND), SECONDS, { frequency: 660 }),
      makeVideo(join(tmp.path, FILM), SECONDS),
      makePicture(join(tmp.path, COVER), 64),
      Deno.writeTextFile(join(album, "notes.txt"), "Liner notes\n"),
    ]);
    const downloadDirA = join(tmp.path, "a-dl");
    await using a = await startDaemon({ storage: join(tmp.path, "a"), downloadDir: downloadDirA });
    await using b = await startDaemon({
      storage: join(tmp.path, "b"),
      downloadDir: join(tmp.path, "b-dl"),
      shareDirs: [join(tmp.path, "Party")],
    });
    await eventually(async () => {
      const [indexed] = await b.client.shares();
      return indexed && !indexed.scanning && indexed.files === 5 ? true : undefined;
    });
    const infoB = await b.client.info();
    assert.equal((await a.client.connect(infoB.announceAddress)).status, "connected");

    await using browser = await launchBrowser();
    const shots = await artifactDir();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`http://${a.uiAddress}/#peers/${infoB.publicKey}/${encodeURI(FOLDER)}`);
      await playAlbum(page, shots);
      await acrossTabs(page, infoB.name);
      await playVideo(page, shots);
      await phoneTargets(page, shots);
    } catch (error) {
      await shoot(page, shots, "player-failure").catch(() => {});
      throw error;
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(await namesIn(downloadDirA), [], "playing downloads nothing");
  },
});

/** Play on the first song, the cover, a seek to the middle, Next, and the end of a track. */
async function playAlbum(page: Page, shots: string): Promise<void> {
  const entries = testId("entries");
  await waitForText(page, `${entries} ${testId(`entry-${FIRST}`)}`, "Homogenic");
  assert.equal(await labelOf(page, testId(`play-${FIRST}`)), "Play 01 Björk – Homogenic.mp3");
  assert.equal(
    await labelOf(page, testId(`download-${FIRST}`)),
    "Download 01 Björk – Homogenic.mp3",
  );
  assert.equal(await labelOf(page, testId(`view-${COVER}`)), "View cover.jpg");
  assert.equal(await page.$(testId(`play-${COVER}`)), null, "a picture is viewed, not played");
  assert.equal(await page.$(testId(`play-${FOLDER}/notes.txt`)), null);

  await click(page, testId(`play-${FIRST}`));
  await waitForMedia(page, { path: FIRST, after: 0 });
  await waitForText(page, testId("player-title"), "01 Björk – Homogenic.mp3");
  await waitForText(page, testId("player-peer"), "1 of 2");
  assert.equal(await labelOf(page, testId(`play-${FIRST}`)), "Pause 01 Björk – Homogenic.mp3");
  await page.waitForFunction(
    (selector: string) => {
      const img = (globalThis as unknown as PageGlobals).document.querySelector(selector) as
        | (PageElement & { complete: boolean; naturalWidth: number })
        | null;
      return img !== null && img.complete && img.naturalWidth > 0;
    },
    { timeout: BROWSER_TIMEOUT_MS },
    testId("player-cover"),
  );

  // the seek bar moves the element, and playback goes on from there
  await seekBar(page, SECONDS / 2);
  const sought = await waitForMedia(page, { after: SECONDS / 2 - 1 });
  assert.ok(sought.currentTime < SECONDS / 2 + 1, `at ${sought.currentTime} s after the seek`);
  await waitForMedia(page, { after: sought.currentTime + 0.5, path: FIRST });
  await shoot(page, shots, "player");

  await click(page, testId("player-next"));
  await waitForText(page, testId("player-title"), "02 Evening.mp3");
  await waitForMedia(page, { path: SECOND, after: 0 });

  // at the end of a track the next one starts by itself
  await click(page, testId(`play-${FIRST}`));
  await waitForText(page, testId("player-title"), "01 Björk");
  await waitForMedia(page, { path: FIRST, after: 0 });
  await seekBar(page, SECONDS - 1.5);
  await waitForText(page, testId("player-title"), "02 Evening.mp3");
  await waitForMedia(page, { path: SECOND, after: 0 });
}

/** Home and Search show while the song plays on; a search result has its own Play. */
async function acrossTabs(page: Page, peerB: string): Promise<void> {
  await click(page, testId("tab-home"));
  const before = await waitForMedia(page, { after: 0 });
  await waitForMedia(page, { after: before.currentTime + 0.5, path: SECOND });
  await click(page, testId("tab-search"));
  await fill(page, testId("search-input"), "Homogenic");
  await click(page, testId("search-button"));
  const result = `${testId(`results-${peerB}`)} ${testId(`play-${FIRST}`)}`;
  await page.waitForSelector(result, { visible: true });
  assert.equal(await labelOf(page, result), "Play 01 Björk – Homogenic.mp3");
  const still = await waitForMedia(page, { after: 0 });
  await waitForMedia(page, { after: still.currentTime + 0.5, path: SECOND });
  assert.ok(await visible(page, testId("player")), "the player bar stays");
  // back to the album by the result's folder link
  await click(page, `${testId(`results-${peerB}`)} a[href$="/Album"]`);
  await waitForText(page, testId("breadcrumbs"), "Album");
}

/** A video plays in the panel above the bar, in the same single element. */
async function playVideo(page: Page, shots: string): Promise<void> {
  await click(page, testId(`play-${FILM}`));
  await waitForText(page, testId("player-title"), "03 Film.webm");
  const started = await waitForMedia(page, { path: FILM, after: 0 });
  await waitForMedia(page, { after: started.currentTime + 0.5, path: FILM });
  assert.ok(await visible(page, testId("player-video")), "the video panel shows");
  const pictures = await page.$eval(
    testId("player-media"),
    (video) => (video as unknown as { videoWidth: number }).videoWidth,
  );
  assert.equal(pictures, 320);
  const playing = await page.evaluate(() => {
    const doc = (globalThis as unknown as {
      document: { querySelectorAll(s: string): ArrayLike<{ paused: boolean }> };
    }).document;
    return Array.from(doc.querySelectorAll("audio, video")).filter((m) => !m.paused).length;
  });
  assert.equal(playing, 1, "one thing plays at a time");
  await click(page, testId("player-size"));
  await waitForText(page, testId("player-size"), "Smaller");
  await shoot(page, shots, "player-video");
}

/** On a phone's width every button of a row and of the bar is a 44 px target at least. */
async function phoneTargets(page: Page, shots: string): Promise<void> {
  // only the size: isMobile or hasTouch would reload the page, and the player with it
  await page.setViewport({ width: 390, height: 844 });
  await click(page, testId("player-size")); // back to the smaller video
  const selectors = [
    testId(`play-${FIRST}`),
    testId(`download-${FIRST}`),
    testId(`view-${COVER}`),
    testId("player-previous"),
    testId("player-toggle"),
    testId("player-next"),
    testId("player-close"),
  ];
  for (const selector of selectors) {
    const box = await (await page.waitForSelector(selector, { visible: true }))?.boundingBox();
    assert.ok(box, `${selector} is laid out`);
    assert.ok(box.width >= 44 && box.height >= 44, `${selector} is ${box.width}×${box.height}`);
  }
  await shoot(page, shots, "player-phone");
}

/** What the player's media element is doing. */
interface MediaState {
  currentTime: number;
  paused: boolean;
  /** The path at the peer it streams. */
  path: string;
}

/**
 * Waits until the player's element plays, past `after` seconds, the file at `path` when given
 * (the `path` of its stream URL).
 */
async function waitForMedia(
  page: Page,
  want: { after: number; path?: string },
): Promise<MediaState> {
  const handle = await page.waitForFunction(
    (selector: string, after: number, path: string | null) => {
      const media = (globalThis as unknown as PageGlobals).document.querySelector(selector) as
        | (PageElement & { currentTime: number; paused: boolean; src: string })
        | null;
      if (!media || media.paused || media.currentTime <= after) return false;
      const playing = new URL(media.src).searchParams.get("path");
      if (path !== null && playing !== path) return false;
      return { currentTime: media.currentTime, paused: media.paused, path: playing ?? "" };
    },
    { timeout: BROWSER_TIMEOUT_MS },
    testId("player-media"),
    want.after,
    want.path ?? null,
  );
  try {
    return await handle.jsonValue() as MediaState;
  } finally {
    await handle.dispose();
  }
}

/** Moves the seek bar to `seconds` as a person dragging it does: its value, then an input event. */
async function seekBar(page: Page, seconds: number): Promise<void> {
  await page.waitForSelector(`${testId("player-seek")}:not([disabled])`, { visible: true });
  await page.$eval(testId("player-seek"), (input, value) => {
    const range = input as unknown as { value: string; dispatchEvent(event: unknown): boolean };
    range.value = String(value);
    const events = globalThis as unknown as { Event: new (type: string, init: unknown) => unknown };
    range.dispatchEvent(new events.Event("input", { bubbles: true }));
  }, seconds);
}

async function labelOf(page: Page, selector: string): Promise<string | null> {
  return await page.$eval(selector, (element) => element.getAttribute("aria-label"));
}

async function visible(page: Page, selector: string): Promise<boolean> {
  return await page.$eval(
    selector,
    (element) => (element as unknown as PageElement).offsetParent !== null,
  );
}

async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}
