// Debian's Chromium driven by playwright-core: nothing is downloaded; path and flags are
// wtr.base.mjs's, shared with the web-test-runner suites.
import { existsSync, mkdirSync } from "node:fs";
import {
  type Browser,
  type BrowserContextOptions,
  chromium,
  devices,
  type Page,
} from "playwright-core";
import { chromeFlags, chromePath } from "../../wtr.base.mjs";

// Written by every run, never committed (gitignored): the README's pictures in docs/screenshots/
// are copies chosen and committed by hand.
export const screenshotDir = new URL("../output/screenshots/", import.meta.url).pathname;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromePath)) {
    throw new Error(`No Chromium at ${chromePath}: set CHROME_PATH, or install Debian's chromium.`);
  }
  return chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: chromeFlags,
  });
}

export const mobile: BrowserContextOptions = devices["Pixel 7"] ?? {};

export type PageEvent = { type: string; detail: Record<string, unknown> };

/** Records every iamport-pay event the page receives, per document (a reload starts afresh). */
export async function recordEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const events: unknown[] = [];
    (window as unknown as { __events: unknown[] }).__events = events;
    for (const type of [
      "iamport-pay-start",
      "iamport-pay-success",
      "iamport-pay-vbank-issued",
      "iamport-pay-failure",
    ]) {
      document.addEventListener(type, (event) => {
        events.push({ type, detail: JSON.parse(JSON.stringify((event as CustomEvent).detail)) });
      });
    }
  });
}

export function events(page: Page): Promise<PageEvent[]> {
  return page.evaluate(() => (window as unknown as { __events: PageEvent[] }).__events);
}

/** Waits until the page has received an event of one of these types, and returns it. */
export async function waitForEvent(page: Page, ...types: string[]): Promise<PageEvent> {
  await page.waitForFunction(
    (wanted) =>
      (window as unknown as { __events?: PageEvent[] }).__events?.some((e) =>
        wanted.includes(e.type),
      ),
    types,
    { timeout: 60_000 },
  );
  const all = await events(page);
  return all.find((e) => types.includes(e.type))!;
}

/**
 * Clicks a button of the sandbox's checkout, wherever it is: in the overlay iframe (desktop) or
 * in the page itself (after a full-page navigation on mobile).
 */
export async function clickCheckout(page: Page, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const button = frame.getByRole("button", { name, exact: true });
      if (await button.isVisible().catch(() => false)) {
        await button.click();
        return;
      }
    }
    await page.waitForTimeout(50);
  }
  throw new Error(`no checkout button named ${name}`);
}

/** Fills the checkout's Amount field (to pay a different amount than the order's). */
export async function fillCheckoutAmount(page: Page, amount: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const field = frame.getByLabel("Amount");
      if (await field.isVisible().catch(() => false)) {
        await field.fill(String(amount));
        return;
      }
    }
    await page.waitForTimeout(50);
  }
  throw new Error("no checkout Amount field");
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}
