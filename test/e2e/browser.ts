// The journeys' browsers, one interface for three engines, all from Debian's packages (nothing is
// downloaded): Chromium through playwright-core, Firefox ESR through puppeteer-core over WebDriver
// BiDi, WebKit (WebKitGTK's MiniBrowser) through WebKitWebDriver and W3C WebDriver, as Safari is
// driven. Elements are found by a script run in the page (by role-like kind and visible name,
// through open shadow roots and into frames) and then clicked by the engine's own input, so
// every click is a trusted one with user activation.
import { mkdirSync, writeFileSync } from "node:fs";
import {
  type Browser,
  type BrowserContextOptions,
  chromium,
  devices,
  type ElementHandle,
  type Page,
  type Frame as PlaywrightFrame,
} from "playwright-core";
import * as puppeteer from "puppeteer-core";
import {
  chromeFlags,
  type Engine,
  enginePaths,
  firefoxPrefs,
  selectEngines,
  startWebKitDriver,
  webkitCapabilities,
} from "../../scripts/engines.mjs";
import { recorderSource } from "./shop-front.js";
import { type ElementRef, isElementRef, WebDriverSession } from "./webdriver.js";

export type { Engine };
// Written by every run, never committed (gitignored): the README's pictures in docs/screenshots/
// are copies chosen and committed by hand.
export const screenshotDir = new URL("../output/screenshots/", import.meta.url).pathname;
export const engineNames: Record<Engine, string> = {
  chromium: "Chromium",
  firefox: "Firefox",
  webkit: "WebKit",
};

/** The engines present here (ENGINES narrows them); the engine check reports missing ones. */
export function enginesToTest(): Engine[] {
  return selectEngines().engines;
}

/** What to find: a button by its visible name, a form field by its label, or text anywhere. */
export type Query = { kind: "button" | "field" | "text"; name: string; exact?: boolean };

export type PageEvent = { type: string; detail: Record<string, unknown> };

export interface Tab {
  readonly engine: Engine;
  /** Evaluates a JavaScript expression in the top document. */
  evaluate<T>(expression: string): Promise<T>;
  click(query: Query): Promise<void>;
  doubleClick(query: Query): Promise<void>;
  fill(query: Query, text: string): Promise<void>;
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  reload(): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface ShopperBrowser {
  readonly engine: Engine;
  /** A fresh profile (cookies, storage) with one tab; `mobile` emulates a phone. */
  newTab(options?: { mobile?: boolean }): Promise<Tab>;
  close(): Promise<void>;
}

/** Polling bound: generous, the machine is shared and slow; only a broken flow reaches it. */
const WAIT_MS = 30_000;

export async function launch(engine: Engine): Promise<ShopperBrowser> {
  if (engine === "chromium") return chromiumBrowser();
  if (engine === "firefox") return firefoxBrowser();
  return webkitBrowser();
}

/** Polls `expression` in the tab until it is truthy (a navigation in between is waited out). */
export async function waitUntil(
  tab: Tab,
  expression: string,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await tab.evaluate<boolean>(`!!(${expression})`)) return;
    } catch (error) {
      last = error; // the page is navigating
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${tab.engine}: waited ${timeoutMs} ms for ${what}${last ? ` (${last})` : ""}`);
}

/** The events the page recorded (a Tab, or a Playwright Page of the Chromium-only journeys). */
export function events(tab: Tab | Page): Promise<PageEvent[]> {
  const expression = "window.__events ?? []";
  return "engine" in tab ? tab.evaluate<PageEvent[]>(expression) : tab.evaluate(expression);
}

/** Waits until the page has received an event of one of these types, and returns it. */
export async function waitForEvent(tab: Tab, ...types: string[]): Promise<PageEvent> {
  const wanted = JSON.stringify(types);
  await waitUntil(
    tab,
    `(window.__events ?? []).some((e) => ${wanted}.includes(e.type))`,
    `an event of ${types.join(" or ")}`,
  );
  const all = await events(tab);
  return all.find((e) => types.includes(e.type))!;
}

/** Waits until the (first) button's status line, in its shadow root, contains `text`. */
export function waitForStatus(tab: Tab, text: string, timeoutMs = WAIT_MS * 4): Promise<void> {
  const status = `document.querySelector("iamport-pay-button")?.shadowRoot?.querySelector('[part="status"]')?.textContent ?? ""`;
  return waitUntil(
    tab,
    `(${status}).includes(${JSON.stringify(text)})`,
    `status "${text}"`,
    timeoutMs,
  );
}

export function waitForText(tab: Tab, text: string): Promise<void> {
  return waitUntil(tab, `${FIND}(${JSON.stringify({ kind: "text", name: text })})`, `"${text}"`);
}

/** Waits until the query finds a shown element in the top document. */
export function waitFor(tab: Tab, query: Query): Promise<void> {
  return waitUntil(
    tab,
    findExpression(query),
    `a ${query.kind} named ${JSON.stringify(query.name)}`,
  );
}

export function button(name: string, exact = true): Query {
  return { kind: "button", name, exact };
}
export function field(label: string): Query {
  return { kind: "field", name: label, exact: true };
}

/**
 * Finds a shown element in the current document, through open shadow roots. A button's name is
 * its flattened text (slotted content included) or aria-label; a field's is its label's text.
 */
const FIND = `((query) => {
  const flatText = (node) => {
    if (node.nodeType === 3) return node.textContent;
    if (node.nodeType !== 1 && node.nodeType !== 11) return "";
    if (node.localName === "style" || node.localName === "script") return "";
    if (node.localName === "slot") {
      const assigned = node.assignedNodes({ flatten: true });
      return (assigned.length ? assigned : [...node.childNodes]).map(flatText).join("");
    }
    return [...(node.shadowRoot ?? node).childNodes].map(flatText).join("");
  };
  const clean = (text) => (text ?? "").replace(/\\s+/g, " ").trim();
  const named = (text) => (query.exact ? clean(text) === query.name : clean(text).includes(query.name));
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  if (query.kind === "text") return document.body && named(flatText(document.body)) ? document.body : null;
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  if (query.kind === "button") {
    return all.find((el) =>
      el.matches("button, [role=button], input[type=button], input[type=submit]") &&
      shown(el) && !el.disabled && named(el.getAttribute("aria-label") ?? flatText(el))) ?? null;
  }
  for (const el of all) {
    if (el.localName === "label" && el.control && named(flatText(el))) {
      return shown(el.control) ? el.control : el;
    }
    if (el.matches("input, select, textarea") && named(el.getAttribute("aria-label")) && shown(el)) return el;
  }
  return null;
})`;

function findExpression(query: Query): string {
  return `${FIND}(${JSON.stringify(query)})`;
}

/** Tries `find` until it returns something, or fails naming the query. */
async function poll<T>(engine: Engine, query: Query, find: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const found = await find().catch(() => null);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${engine}: no ${query.kind} named ${JSON.stringify(query.name)}`);
}

function screenshotPath(engine: Engine, name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return engine === "chromium"
    ? `${screenshotDir}${name}.png`
    : `${screenshotDir}${name}.${engine}.png`;
}

/** Debian's Chromium under playwright-core (the benchmarks use it directly too). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: enginePaths().chromium,
    headless: true,
    args: chromeFlags,
  });
}

// For the Chromium-only journeys written against Playwright directly (confirm.test.ts).
export const mobile: BrowserContextOptions = devices["Pixel 7"] ?? {};

/** Playwright: records every iamport-pay event the page receives, per document. */
/** Playwright: a full-page screenshot into test/output/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

/** Playwright: waits until the page has received an event of one of these types, and returns it. */
export async function waitForPageEvent(page: Page, ...types: string[]): Promise<PageEvent> {
  await page.waitForFunction(
    (wanted) =>
      (window as unknown as { __events?: PageEvent[] }).__events?.some((e) =>
        wanted.includes(e.type),
      ),
    types,
    { timeout: WAIT_MS * 2 },
  );
  const all = await events(page);
  return all.find((e) => types.includes(e.type))!;
}

export async function recordEvents(page: Page): Promise<void> {
  await page.addInitScript(recorderSource);
}

/** Playwright: clicks a checkout button, in the overlay iframe or the page itself. */
export async function clickCheckout(page: Page, name: string): Promise<void> {
  const query = button(name);
  const element = await poll<ElementHandle>("chromium", query, async () => {
    for (const frame of page.frames()) {
      const handle = await frame.evaluateHandle(findExpression(query)).catch(() => null);
      const found = handle?.asElement();
      if (found) return found;
    }
    return null;
  });
  await element.click();
}

async function chromiumBrowser(): Promise<ShopperBrowser> {
  const browser = await launchChromium();
  return {
    engine: "chromium",
    async newTab({ mobile = false } = {}) {
      const context = await browser.newContext(mobile ? (devices["Pixel 7"] ?? {}) : {});
      const page = await context.newPage();
      const find = (query: Query) =>
        poll<ElementHandle>("chromium", query, async () => {
          for (const frame of page.frames() as PlaywrightFrame[]) {
            const handle = await frame.evaluateHandle(findExpression(query)).catch(() => null);
            const element = handle?.asElement();
            if (element) return element;
          }
          return null;
        });
      return {
        engine: "chromium",
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        click: async (query) => (await find(query)).click(),
        doubleClick: async (query) => (await find(query)).dblclick(),
        fill: async (query, text) => (await find(query)).fill(text),
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        reload: async () => void (await page.reload()),
        screenshot: async (name) =>
          void (await page.screenshot({ path: screenshotPath("chromium", name), fullPage: true })),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// Firefox for Android's own user agent: the widget tells phones by it.
const firefoxMobileAgent = "Mozilla/5.0 (Android 14; Mobile; rv:153.0) Gecko/153.0 Firefox/153.0";

async function firefoxBrowser(): Promise<ShopperBrowser> {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: enginePaths().firefox,
    headless: true,
    extraPrefsFirefox: firefoxPrefs,
  });
  return {
    engine: "firefox",
    async newTab({ mobile = false } = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (mobile) {
        await page.setUserAgent({ userAgent: firefoxMobileAgent });
        await page.setViewport({ width: 412, height: 915 });
      }
      const find = (query: Query) =>
        poll<puppeteer.ElementHandle<HTMLElement>>("firefox", query, async () => {
          for (const frame of page.frames()) {
            const handle = await frame.evaluateHandle(findExpression(query)).catch(() => null);
            const element = handle?.asElement();
            if (element) return element as puppeteer.ElementHandle<HTMLElement>;
          }
          return null;
        });
      return {
        engine: "firefox",
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        click: async (query) => (await find(query)).click(),
        doubleClick: async (query) => (await find(query)).click({ count: 2 }),
        fill: async (query, text) => {
          const element = await find(query);
          await element.evaluate((el) => {
            (el as HTMLInputElement).value = "";
          });
          await element.type(text);
        },
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        reload: async () => void (await page.reload()),
        screenshot: async (name) =>
          void (await page.screenshot({ path: screenshotPath("firefox", name), fullPage: true })),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// Safari on an iPhone: every iOS browser is WebKit.
const iphoneAgent =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

async function webkitBrowser(): Promise<ShopperBrowser> {
  // One driver per test file: a driver holds one session (one MiniBrowser) at a time.
  const driver = await startWebKitDriver();
  let open: WebDriverSession | undefined;
  return {
    engine: "webkit",
    async newTab({ mobile = false } = {}) {
      const session = await WebDriverSession.create(
        driver.url,
        webkitCapabilities(mobile ? [`--user-agent=${iphoneAgent}`] : []),
      );
      open = session;
      await session.setWindowRect(
        mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
      );
      const run = <T>(expression: string) => session.execute<T>(`return ${expression};`);
      /** Finds the element in the top document or one of its frames, and leaves the session there. */
      const find = (query: Query) =>
        poll<ElementRef>("webkit", query, async () => {
          await session.switchToFrame(null);
          const top = await run<unknown>(findExpression(query));
          if (isElementRef(top)) return top;
          const frames = await run<ElementRef[]>(`[...document.querySelectorAll("iframe")]`);
          for (const frame of frames) {
            await session.switchToFrame(frame);
            const inner = await run<unknown>(findExpression(query)).catch(() => null);
            if (isElementRef(inner)) return inner;
            await session.switchToFrame(null);
          }
          return null;
        });
      const act = async (query: Query, action: (element: ElementRef) => Promise<unknown>) => {
        try {
          await action(await find(query));
        } finally {
          await session.switchToFrame(null).catch(() => {});
        }
      };
      return {
        engine: "webkit",
        evaluate: <T>(expression: string) => run<T>(expression),
        click: (query) => act(query, (element) => session.click(element)),
        doubleClick: (query) => act(query, (element) => session.doubleClick(element)),
        fill: (query, text) =>
          act(query, async (element) => {
            // WebKitWebDriver refuses Element Send Keys inside the checkout's iframe ("not
            // focusable"): focus by a real click, select the old value, type over it.
            await session.click(element);
            await session.execute("arguments[0].select();", [element]);
            await session.type(text);
          }),
        goto: async (url) => void (await session.navigate(url)),
        url: () => session.url(),
        reload: async () => void (await session.refresh()),
        screenshot: async (name) =>
          writeFileSync(screenshotPath("webkit", name), await session.screenshot()),
        close: async () => {
          open = undefined;
          await session.delete();
        },
      };
    },
    async close() {
      await open?.delete().catch(() => {});
      await driver.stop();
    },
  };
}
