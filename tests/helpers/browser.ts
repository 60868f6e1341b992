/**
 * Drives the system's Chromium with puppeteer-core for the web UI's end-to-end tests: launching it
 * headless with a throwaway profile, finding elements by their `data-testid`, screenshots and the
 * errors a page logs.
 */
import { join } from "node:path";
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

/**
 * The little of the DOM that functions run in the page use: this project type-checks without the
 * dom lib. Such a function reaches it as `(globalThis as unknown as PageGlobals).document`.
 */
export interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null };
  scrollTo(x: number, y: number): void;
}

/** An element, as {@link PageGlobals} sees it. */
export interface PageElement {
  readonly textContent: string | null;
  /** null when the element is not displayed (it or an ancestor is hidden). */
  readonly offsetParent: unknown;
}

/**
 * Waits until the element `selector` is displayed and its text contains `text` (or matches it);
 * returns its text.
 */
export async function waitForText(
  page: Page,
  selector: string,
  text: string | RegExp,
): Promise<string> {
  const pattern = typeof text === "string" ? undefined : { source: text.source, flags: text.flags };
  const handle = await page.waitForFunction(
    (sel: string, want: string, re: { source: string; flags: string } | undefined) => {
      const element = (globalThis as unknown as PageGlobals).document.querySelector(sel);
      if (element === null || element.offsetParent === null) return false;
      const content = element.textContent ?? "";
      const matches = re ? new RegExp(re.source, re.flags).test(content) : content.includes(want);
      return matches ? content : false;
    },
    { timeout: BROWSER_TIMEOUT_MS },
    selector,
    typeof text === "string" ? text : "",
    pattern,
  );
  try {
    return String(await handle.jsonValue());
  } finally {
    await handle.dispose();
  }
}

/** Clicks the element `selector` once it is visible, enabled and still; retries a re-rendered one. */
export async function click(page: Page, selector: string): Promise<void> {
  await page.locator(selector).setTimeout(BROWSER_TIMEOUT_MS).click();
}

/** Replaces the text of the input `selector` once it is visible and enabled. */
export async function fill(page: Page, selector: string, text: string): Promise<void> {
  // Puppeteer empties the field without an input event and then types; a render in between (an
  // info event) puts the old value back, and the text lands after it. Fill again until it holds.
  let value = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.locator(selector).setTimeout(BROWSER_TIMEOUT_MS).fill(text);
    value = await page.$eval(selector, (el) => (el as unknown as { value: string }).value);
    if (value === text) return;
  }
  throw new Error(`${selector} holds ${JSON.stringify(value)}, not ${JSON.stringify(text)}`);
}

/** The HTTP statuses a page got, including those that CORS keeps from the page itself. */
export interface StatusLog {
  /** The status of the first request to `url`, once it has answered. */
  statusOf(url: string): Promise<number>;
}

/** Starts recording the statuses of a page's requests through the DevTools protocol. */
export async function recordStatuses(page: Page): Promise<StatusLog> {
  const session = await page.createCDPSession();
  const urls = new Map<string, string>();
  const statuses = new Map<string, number>();
  const waiters = new Set<{ url: string; resolve: (status: number) => void }>();
  // the two events of one request come in either order
  const settle = () => {
    for (const waiter of waiters) {
      for (const [id, url] of urls) {
        const status = statuses.get(id);
        if (url !== waiter.url || status === undefined) continue;
        waiters.delete(waiter);
        waiter.resolve(status);
        break;
      }
    }
  };
  session.on("Network.requestWillBeSent", (event) => {
    urls.set(event.requestId, event.request.url);
    settle();
  });
  session.on("Network.responseReceivedExtraInfo", (event) => {
    statuses.set(event.requestId, event.statusCode);
    settle();
  });
  await session.send("Network.enable");
  return {
    async statusOf(url) {
      const { promise, resolve, reject } = Promise.withResolvers<number>();
      const waiter = { url, resolve };
      waiters.add(waiter);
      settle();
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`No answer to ${url} in ${BROWSER_TIMEOUT_MS} ms`));
      }, BROWSER_TIMEOUT_MS);
      try {
        return await promise;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Where this run's screenshots go. */
export async function artifactDir(): Promise<string> {
  const configured = Deno.env.get("HDP_TEST_ARTIFACTS");
  const dir = configured ?? await Deno.makeTempDir({ prefix: "hdp-ui-screenshots-" });
  await Deno.mkdir(dir, { recursive: true });
  console.log(`Screenshots of the web UI: ${dir}`);
  return dir;
}

/** Saves a screenshot of `page` as `screenshot-NAME.png` in `dir`. */
export async function shoot(
  page: Page,
  dir: string,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  if (options.fullPage) {
    // from the top: the sticky header would otherwise be drawn where the page was scrolled to
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  }
  await page.screenshot({ path: join(dir, `screenshot-${name}.png`), ...options });
}

/** Uncaught errors and console errors of a page, collected as they happen. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console: ${message.text()} ${message.location().url ?? ""}`);
    }
  });
  return problems;
}

/**
 * Runs `steps`; when they fail, prints what the page shows, the problems it had and what the
 * daemons logged before failing the same way, so that a failure in CI says why.
 */
export async function explainFailure(
  page: Page,
  problems: string[],
  daemons: { output(): string }[],
  steps: () => Promise<void>,
): Promise<void> {
  try {
    await steps();
  } catch (error) {
    const shown = await page.evaluate(() =>
      (globalThis as unknown as { document: { body: { innerText: string } } }).document.body
        .innerText
    ).catch((e) => `(cannot read the page: ${e})`);
    console.log(`The page shows:\n${shown}\n\nIts problems:\n${problems.join("\n")}`);
    daemons.forEach((d, i) => console.log(`\nDaemon ${i + 1} logged:\n${d.output()}`));
    throw error;
  }
}
