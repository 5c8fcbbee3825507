// The shopper never pays twice and always learns the outcome, in every engine: the demo shop
// (behind the front proxy that records events) against a whole server in sandbox mode, with
// Iamport (the sandbox) failing right after an approval, a reload in the middle of confirming,
// the shop opened at localhost, a page on a refused origin; and axe-core over the demo page and
// the mobile result page (in Chromium: accessibility rules do not depend on the engine).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  button,
  type Engine,
  engineNames,
  enginesToTest,
  events,
  launch,
  type PageEvent,
  type ShopperBrowser,
  type Tab,
  waitFor,
  waitForStatus,
  waitUntil,
} from "./browser.js";
import { recorderScript, type ShopFront, startShopFront } from "./shop-front.js";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
// Confirmation retries after about 1, 2, 4, 8, then every 10 s: a journey may take a while.
const JOURNEY_MS = 120_000;
const payButton = button("결제하기", false);
const widget = `document.querySelector("iamport-pay-button")`;

let server: Awaited<ReturnType<typeof startServer>>;
let front: ShopFront;

beforeAll(async () => {
  front = await startShopFront(() => server.url);
  server = await startServer(
    loadConfig({ PORT: "0", DATABASE_URL: "memory://", ALLOWED_ORIGINS: front.url }),
    { log: silentLogger },
  );
});
afterEach(async () => {
  await fetch(`${server.url}/sandbox/control/faults`, { method: "DELETE" });
});
afterAll(async () => {
  await front?.close();
  await server?.close();
});

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

const finalTypes = ["iamport-pay-success", "iamport-pay-failure", "iamport-pay-vbank-issued"];
async function waitForFinalEvent(tab: Tab): Promise<PageEvent> {
  await waitUntil(
    tab,
    `(window.__events ?? []).some((e) => ${JSON.stringify(finalTypes)}.includes(e.type))`,
    "the final event",
    JOURNEY_MS,
  );
  return (await events(tab)).find((e) => finalTypes.includes(e.type))!;
}

async function storedOrders(): Promise<{ order: { merchant_uid: string; status: string } }[]> {
  return (await fetch(`${server.url}/sandbox-console/orders.json`)).json();
}

describe.each(enginesToTest().map((engine): [string, Engine] => [engineNames[engine], engine]))(
  "in %s",
  (_name, engine) => {
    let browser: ShopperBrowser;
    let tab: Tab | undefined;
    beforeAll(async () => {
      browser = await launch(engine);
    }, 120_000);
    afterEach(async () => {
      await tab?.close();
      tab = undefined;
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function openShop(url = `${front.url}/`, mobile = false): Promise<Tab> {
      tab = await browser.newTab({ mobile });
      await tab.goto(url);
      await waitFor(tab, payButton);
      return tab;
    }

    describe("after approval the button confirms, and never invites a second payment", () => {
      it(
        "a 503 after approval, then recovery, ends in exactly one success event and one paid order",
        async () => {
          const before = (await storedOrders()).length;
          const page = await openShop();
          await breakIamport();
          await page.click(payButton);
          await page.click(button("Approve"));

          await waitForStatus(page, "결제를 확인하고 있습니다", JOURNEY_MS);
          expect(await page.evaluate(`${widget}.getAttribute("state")`)).toBe("busy");
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
          expect(
            await page.evaluate(
              `${widget}.shadowRoot.querySelector("button").getAttribute("aria-disabled")`,
            ),
          ).toBe("true");
        },
        JOURNEY_MS + 30_000,
      );

      it(
        "a reload during confirmation resumes it and fires the one final event",
        async () => {
          const before = (await storedOrders()).length;
          const page = await openShop();
          await breakIamport();
          await page.click(payButton);
          await page.click(button("Approve"));
          await waitForStatus(page, "결제를 확인하고 있습니다", JOURNEY_MS);

          await page.reload();
          await waitForStatus(page, "결제를 확인하고 있습니다", JOURNEY_MS);
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
            // The server's own page, not the front: the origin rules are what is tested.
            const shop = `http://${host}:${new URL(server.url).port}/`;
            const page = await openShop(shop, true);
            await page.click(payButton);
            await page.click(button("Approve"));

            await waitUntil(
              page,
              `location.origin === ${JSON.stringify(new URL(shop).origin)} && location.pathname === "/"`,
              "the way back to the shop",
            );
            await waitForStatus(page, "결제가 완료되었습니다", JOURNEY_MS);
            expect(await page.url()).toBe(shop);
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
          // console.error is recorded too: the element tells the developer how to fix it there.
          response.end(`<!doctype html><html lang="ko"><meta charset="utf-8"><title>shop</title>
            ${recorderScript}
            <script>window.__consoleErrors = []; const error = console.error;
              console.error = (...args) => { window.__consoleErrors.push(args.join(" ")); error(...args); };</script>
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
          await page.click(payButton);
          const final = await waitForFinalEvent(page);

          expect(final.type).toBe("iamport-pay-failure");
          expect(final.detail.code).toBe("origin_not_allowed");
          await waitForStatus(page, "이 상점의 결제 서버가 이 페이지의 결제를 받지 않습니다");
          const consoleErrors = await page.evaluate<string[]>("window.__consoleErrors");
          expect(consoleErrors.join("\n")).toContain(
            `add ${new URL(shopUrl).origin} to ALLOWED_ORIGINS`,
          );
        },
        JOURNEY_MS,
      );
    });

    describe.runIf(engine === "chromium")("axe-core finds no violations", () => {
      type Violation = { id: string; targets: unknown[] };
      async function axe(page: Tab): Promise<Violation[]> {
        await page.evaluate(`(() => { ${axeSource}
          window.__axe = undefined;
          window.axe.run().then((result) => {
            window.__axe = result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
          });
          return true; })()`);
        await waitUntil(page, "window.__axe !== undefined", "axe-core's result", JOURNEY_MS);
        return page.evaluate<Violation[]>("window.__axe");
      }

      it(
        "on the demo page, idle and after a payment",
        async () => {
          const page = await openShop();
          expect(await axe(page)).toEqual([]);
          await page.click(payButton);
          await page.click(button("Approve"));
          await waitForFinalEvent(page);
          expect(await axe(page)).toEqual([]);
        },
        JOURNEY_MS,
      );

      it(
        "on the server's mobile result page, which links back to the shop",
        async () => {
          tab = await browser.newTab({ mobile: true });
          const order = await fetch(`${server.url}/orders`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ items: [{ sku: "chair-001", quantity: 1 }] }),
          }).then((r) => r.json());
          await tab.goto(
            `${server.url}/payments/complete/mobile?merchant_uid=${order.merchant_uid}`,
          );
          const back = await tab.evaluate<string | null>(
            `[...document.querySelectorAll("a")].find((a) => /상점으로 돌아가기/.test(a.textContent))?.getAttribute("href") ?? null`,
          );
          expect(back).toBe(`${server.url}/`);
          expect(await axe(tab)).toEqual([]);
        },
        JOURNEY_MS,
      );
    });
  },
);
