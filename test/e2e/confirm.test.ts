// The shopper never pays twice and always learns the outcome: the demo shop in Chromium against a
// whole server in sandbox mode, with Iamport (the sandbox) failing right after an approval, a
// reload in the middle of confirming, the shop opened at localhost, a page on a refused origin,
// and axe-core over the demo page and the mobile result page.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  clickCheckout,
  events,
  launchChromium,
  mobile,
  type PageEvent,
  recordEvents,
} from "./browser.js";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
// Confirmation retries after about 1, 2, 4, 8, then every 10 s: a journey may take a while.
const JOURNEY_MS = 120_000;

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  server = await startServer(loadConfig({ PORT: "0", DATABASE_URL: "memory://" }), {
    log: silentLogger,
  });
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await fetch(`${server.url}/sandbox/control/faults`, { method: "DELETE" });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openShop(url = `${server.url}/`, options = {}): Promise<Page> {
  context = await browser.newContext(options);
  const page = await context.newPage();
  await recordEvents(page);
  await page.goto(url);
  await page.getByRole("button", { name: /결제하기/ }).waitFor();
  return page;
}

/** Makes Iamport's payment lookups fail (500) until cleared: the server answers 503. */
async function breakIamport(): Promise<void> {
  const response = await fetch(`${server.url}/sandbox/control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ target: "payments", mode: "error" }),
  });
  expect(response.status).toBe(201);
}
async function mendIamport(): Promise<void> {
  await fetch(`${server.url}/sandbox/control/faults`, { method: "DELETE" });
}

async function waitForFinalEvent(page: Page): Promise<PageEvent> {
  const final = ["iamport-pay-success", "iamport-pay-failure", "iamport-pay-vbank-issued"];
  await page.waitForFunction(
    (types) =>
      (window as unknown as { __events?: PageEvent[] }).__events?.some((e) =>
        types.includes(e.type),
      ),
    final,
    { timeout: JOURNEY_MS },
  );
  return (await events(page)).find((e) => final.includes(e.type))!;
}

const status = (page: Page) => page.locator('iamport-pay-button [part="status"]');

async function storedOrders(): Promise<{ order: { merchant_uid: string; status: string } }[]> {
  return (await fetch(`${server.url}/sandbox-console/orders.json`)).json();
}

describe("after approval the button confirms, and never invites a second payment", () => {
  it(
    "a 503 after approval, then recovery, ends in exactly one success event and one paid order",
    async () => {
      const before = (await storedOrders()).length;
      const page = await openShop();
      await breakIamport();
      await page.getByRole("button", { name: /결제하기/ }).click();
      await clickCheckout(page, "Approve");

      await status(page).getByText("결제를 확인하고 있습니다").waitFor({ timeout: JOURNEY_MS });
      expect(await page.locator("iamport-pay-button").getAttribute("state")).toBe("busy");
      await mendIamport();
      const final = await waitForFinalEvent(page);

      expect(final.type).toBe("iamport-pay-success");
      const all = await events(page);
      expect(all.filter((e) => e.type !== "iamport-pay-start")).toHaveLength(1);
      const orders = await storedOrders();
      expect(orders.length - before).toBe(1);
      expect(orders[0]?.order).toMatchObject({
        merchant_uid: final.detail.merchant_uid,
        status: "paid",
      });
      // The paid button does not offer to pay again.
      expect(await page.locator("iamport-pay-button button").getAttribute("aria-disabled")).toBe(
        "true",
      );
    },
    JOURNEY_MS + 30_000,
  );

  it(
    "a reload during confirmation resumes it and fires the one final event",
    async () => {
      const before = (await storedOrders()).length;
      const page = await openShop();
      await breakIamport();
      await page.getByRole("button", { name: /결제하기/ }).click();
      await clickCheckout(page, "Approve");
      await status(page).getByText("결제를 확인하고 있습니다").waitFor({ timeout: JOURNEY_MS });

      await page.reload();
      await status(page).getByText("결제를 확인하고 있습니다").waitFor({ timeout: JOURNEY_MS });
      await mendIamport();
      const final = await waitForFinalEvent(page);

      expect(final.type).toBe("iamport-pay-success");
      // Events after the reload: the one final event, and no new start.
      expect(await events(page)).toHaveLength(1);
      expect((await storedOrders()).length - before).toBe(1);
    },
    JOURNEY_MS + 30_000,
  );
});

describe("loopback names are one origin in sandbox mode", () => {
  for (const host of ["localhost", "127.0.0.1"]) {
    it(
      `a mobile payment from the shop opened at ${host} ends back on that page`,
      async () => {
        const port = new URL(server.url).port;
        const shop = `http://${host}:${port}/`;
        const page = await openShop(shop, mobile);
        await page.getByRole("button", { name: /결제하기/ }).click();
        await clickCheckout(page, "Approve");

        await page.waitForURL((url) => url.origin === new URL(shop).origin && url.pathname === "/");
        const final = await waitForFinalEvent(page);
        expect(final.type).toBe("iamport-pay-success");
        expect(page.url()).toBe(shop);
      },
      JOURNEY_MS,
    );
  }
});

describe("a merchant page on an origin the server does not allow", () => {
  let shop: Server;
  let shopUrl: string;
  beforeAll(async () => {
    shop = createServer((_request, response) => {
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end(`<!doctype html><html lang="ko"><meta charset="utf-8"><title>shop</title>
        <script type="module" src="${server.url}/iamport-pay-button.js"></script>
        <iamport-pay-button server="${server.url}" sku="chair-001">결제하기</iamport-pay-button>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => shop.close(() => resolve())));

  it(
    "tells the shopper the shop's server does not accept this page, and the console how to fix it",
    async () => {
      const page = await openShop(shopUrl);
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      await page.getByRole("button", { name: /결제하기/ }).click();
      const final = await waitForFinalEvent(page);

      expect(final.type).toBe("iamport-pay-failure");
      expect(final.detail.code).toBe("origin_not_allowed");
      await status(page)
        .getByText("이 상점의 결제 서버가 이 페이지의 결제를 받지 않습니다")
        .waitFor();
      expect(consoleErrors.join("\n")).toContain(
        `add ${new URL(shopUrl).origin} to ALLOWED_ORIGINS`,
      );
    },
    JOURNEY_MS,
  );
});

describe("axe-core finds no violations", () => {
  async function axe(page: Page) {
    // Evaluated through the DevTools protocol: the pages' CSP (rightly) refuses inline scripts.
    await page.evaluate(axeSource);
    return page.evaluate(async () => {
      const result = await (
        window as unknown as {
          axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
        }
      ).axe.run();
      return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
    });
  }

  it(
    "on the demo page, idle and after a payment",
    async () => {
      const page = await openShop();
      expect(await axe(page)).toEqual([]);
      await page.getByRole("button", { name: /결제하기/ }).click();
      await clickCheckout(page, "Approve");
      await waitForFinalEvent(page);
      expect(await axe(page)).toEqual([]);
    },
    JOURNEY_MS,
  );

  it(
    "on the server's mobile result page, which links back to the shop",
    async () => {
      context = await browser.newContext(mobile);
      const page = await context.newPage();
      const order = await fetch(`${server.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: [{ sku: "chair-001", quantity: 1 }] }),
      }).then((r) => r.json());
      await page.goto(`${server.url}/payments/complete/mobile?merchant_uid=${order.merchant_uid}`);

      const back = page.getByRole("link", { name: /상점으로 돌아가기/ });
      expect(await back.getAttribute("href")).toBe(`${server.url}/`);
      expect(await axe(page)).toEqual([]);
    },
    JOURNEY_MS,
  );
});
