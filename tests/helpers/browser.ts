/**
 * Drives the system's Chromium with puppeteer-core for the web UI's end-to-end tests: launching it
 * headless with a throwaway profile, and finding elements by their `data-testid`.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Where Chromium is expected (Debian's package); `HDP_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = Deno.env.get("HDP_CHROMIUM") ?? "/usr/bin/chromium";

/** How long any wait in a browser test may take. */
export const BROWSER_TIMEOUT_MS = 30_000;

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Why browser tests cannot run here, or undefined when Chromium is installed. */
export function browserMissing(): string | undefined {
  try {
    if (Deno.statSync(CHROMIUM_PATH).isFile) return undefined;
  } catch {
    // not there: say so below
  }
  return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set HDP_CHROMIUM)`;
}

/** A running headless Chromium with its own profile; disposing closes it and removes the profile. */
export interface BrowserSession extends AsyncDisposable {
  readonly browser: Browser;
  /** A new tab with the test viewport and timeouts. */
  newPage(): Promise<Page>;
}

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  /** Command-line switches added to the usual ones. Default: none. */
  args?: string[];
}

/** Launches Chromium headless with a fresh temporary profile. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  const profile = await Deno.makeTempDir({ prefix: "hdp-chromium-" });
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      userDataDir: profile,
      args: [...ARGS, ...(options.args ?? [])],
      timeout: BROWSER_TIMEOUT_MS,
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    browser,
    async newPage() {
      const page = await browser.newPage();
      page.setDefaultTimeout(BROWSER_TIMEOUT_MS);
      await page.setViewport({ width: 1280, height: 800 });
      return page;
    },
    async [Symbol.asyncDispose]() {
      await browser.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** The CSS selector of the element with `data-testid` equal to `id`. */
export function testId(id: string): string {
  return `[data-testid=${JSON.stringify(id)}]`;
}

/** Waits until the element `selector` is visible and its text contains `text`; returns its text. */
export async function waitForText(page: Page, selector: string, text: string): Promise<string> {
  await page.waitForFunction(
    (sel: string, want: string) => {
      const element = document.querySelector<HTMLElement>(sel);
      return element !== null && element.offsetParent !== null &&
        (element.textContent ?? "").includes(want);
    },
    { timeout: BROWSER_TIMEOUT_MS },
    selector,
    text,
  );
  return await page.$eval(selector, (element) => element.textContent ?? "");
}

/** Waits until the element `selector` is visible, then clicks it. */
export async function clickWhenVisible(page: Page, selector: string): Promise<void> {
  const element = await page.waitForSelector(selector, { visible: true });
  if (!element) throw new Error(`No element ${selector}`);
  await element.click();
  await element.dispose();
}
