// The whole journey as a shopper makes it, in every engine (Chromium, Firefox, WebKit): the demo
// shop behind a front proxy (test/e2e/shop-front.ts), the server in sandbox mode on a fresh
// in-memory database, the sandbox's checkout clicked by its buttons. Each test checks the events
// the page got, the order the server stored, and what the sandbox saw.
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import { OrderView, type Payment } from "@iamport-pay/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  button,
  type Engine,
  engineNames,
  enginesToTest,
  events,
  field,
  launch,
  type ShopperBrowser,
  type Tab,
  waitFor,
  waitForEvent,
  waitForStatus,
  waitForText,
  waitUntil,
} from "./browser.js";
import { type ShopFront, startShopFront } from "./shop-front.js";

let server: Awaited<ReturnType<typeof startServer>>;
let front: ShopFront;

beforeAll(async () => {
  front = await startShopFront(() => server.url);
  // The shop's origin is the front's: a mobile return goes back there.
  server = await startServer(
    loadConfig({ PORT: "0", DATABASE_URL: "memory://", ALLOWED_ORIGINS: front.url }),
    { log: silentLogger },
  );
});
afterAll(async () => {
  await front?.close();
  await server?.close();
});

const payButton = button("결제하기", false);

async function order(merchantUid: string) {
  const response = await fetch(`${server.url}/orders/${encodeURIComponent(merchantUid)}`);
  expect(response.status).toBe(200);
  return OrderView.parse(await response.json());
}

async function sandboxPayment(impUid: string): Promise<Payment> {
  const tokenResponse = await fetch(`${server.url}/sandbox/users/getToken`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ imp_key: "sandbox_key", imp_secret: "sandbox_secret" }),
  });
  const { response: token } = await tokenResponse.json();
  // Checkout payments are test-channel ones, which Iamport hides without include_sandbox.
  const paymentResponse = await fetch(
    `${server.url}/sandbox/payments/${impUid}?include_sandbox=true`,
    {
      headers: { authorization: `Bearer ${token.access_token}` },
    },
  );
  return (await paymentResponse.json()).response;
}

/** Makes Iamport's payment lookups fail (500) until mended: the server answers 503. */
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

type Webhook = { body: Record<string, string>; url: string };
async function webhooksFor(merchantUid: string): Promise<Webhook[]> {
  await server.sandbox?.settled();
  const response = await fetch(`${server.url}/sandbox/control/webhooks`);
  const json = await response.json();
  const list: Webhook[] = Array.isArray(json) ? json : (json.webhooks ?? json.response ?? []);
  return list.filter((w) => w.body?.merchant_uid === merchantUid);
}

/** What the engine refused under the pages' Content-Security-Policy (recorded by shop-front). */
async function cspViolations(tab: Tab): Promise<unknown[]> {
  const seen = await events(tab).catch(() => []);
  return seen.filter((e) => e.type === "csp-violation");
}

describe.each(enginesToTest().map((engine): [string, Engine] => [engineNames[engine], engine]))(
  "the demo shop in %s",
  (_name, engine) => {
    let browser: ShopperBrowser;
    let tab: Tab | undefined;

    beforeAll(async () => {
      browser = await launch(engine);
    }, 120_000);
    afterEach(async () => {
      const seen = tab ? await cspViolations(tab) : [];
      await tab?.close();
      tab = undefined;
      expect(seen).toEqual([]);
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function openShop(options: { mobile?: boolean } = {}): Promise<Tab> {
      tab = await browser.newTab(options);
      await tab.goto(`${front.url}/`);
      await waitFor(tab, payButton);
      return tab;
    }

    it("pays by card: the page hears success and the order is paid", async () => {
      const page = await openShop();
      await page.screenshot("1-idle");
      await page.click(payButton);
      await page.click(button("Approve"));
      const success = await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
      expect(success.type).toBe("iamport-pay-success");
      const merchantUid = String(success.detail.merchant_uid);
      await page.screenshot("2-success");

      expect((await order(merchantUid)).status).toBe("paid");
      const hooks = await webhooksFor(merchantUid);
      expect(hooks.map((w) => w.body.status)).toContain("paid");
    });

    it("reports a shopper who closes the checkout, and the order keeps the failed attempt", async () => {
      const page = await openShop();
      await page.click(payButton);
      const start = await waitForEvent(page, "iamport-pay-start");
      await page.click(button("Close"));
      const failure = await waitForEvent(page, "iamport-pay-failure");
      expect(failure.detail.code).toBe("shopper_cancelled");
      await page.screenshot("3-cancelled");
      // Closing leaves a failed payment at Iamport (as the V1 guide says), which the server records.
      expect((await order(String(start.detail.merchant_uid))).status).toBe("failed");
    });

    it("reports a PG decline as a failure", async () => {
      const page = await openShop();
      await page.click(payButton);
      const start = await waitForEvent(page, "iamport-pay-start");
      await page.click(button("Decline"));
      const failure = await waitForEvent(page, "iamport-pay-failure");
      expect(failure.detail.code).toBe("pg_declined");
      expect(["failed", "pending"]).toContain(
        (await order(String(start.detail.merchant_uid))).status,
      );
    });

    it("issues a virtual account, and a deposit from the console pays the order", async () => {
      const page = await openShop();
      await page.click(field("Virtual account"));
      await page.click(payButton);
      await page.click(button("Issue virtual account"));
      const issued = await waitForEvent(page, "iamport-pay-vbank-issued", "iamport-pay-failure");
      expect(issued.type).toBe("iamport-pay-vbank-issued");
      const merchantUid = String(issued.detail.merchant_uid);
      const impUid = String(issued.detail.imp_uid);
      const vbank = issued.detail.vbank as { number: string };
      expect(vbank.number).toMatch(/\d/);
      expect((await order(merchantUid)).status).toBe("ready");
      await page.screenshot("4-vbank-issued");

      const deposit = await fetch(`${server.url}/sandbox/control/payments/${impUid}/deposit`, {
        method: "POST",
      });
      expect(deposit.status).toBe(200);
      await server.sandbox?.settled();
      expect((await order(merchantUid)).status).toBe("paid");
      expect((await webhooksFor(merchantUid)).map((w) => w.body.status)).toEqual(["ready", "paid"]);
      // The demo page polls the order while a deposit is awaited, and says when it lands.
      await waitForText(page, "입금이 확인되었습니다");
      await page.screenshot("5-vbank-deposited");
    });

    it("catches an amount changed in the checkout as a forgery and cancels the payment", async () => {
      const page = await openShop();
      await page.click(payButton);
      await page.fill(field("Amount"), "100");
      await page.click(button("Approve"));
      const failure = await waitForEvent(page, "iamport-pay-failure", "iamport-pay-success");
      expect(failure.type).toBe("iamport-pay-failure");
      expect(failure.detail.code).toBe("forgery");
      await page.screenshot("6-forgery");
      const merchantUid = String(failure.detail.merchant_uid);
      expect((await order(merchantUid)).status).toBe("forged");
      const payment = await sandboxPayment(String(failure.detail.imp_uid));
      expect(payment.status).toBe("cancelled");
    });

    it("comes back from a mobile redirect with one success event and a clean address", async () => {
      const page = await openShop({ mobile: true });
      await page.click(payButton);
      await page.click(button("Approve"));
      await waitUntil(
        page,
        `location.origin === ${JSON.stringify(front.url)} && location.pathname === "/"`,
        "the way back to the shop",
      );
      const success = await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
      expect(success.type).toBe("iamport-pay-success");
      await waitUntil(page, `!location.search.includes("merchant_uid")`, "a clean address");
      expect(new URL(await page.url()).search).toBe("");
      expect((await events(page)).filter((e) => e.type === "iamport-pay-success")).toHaveLength(1);
      expect((await order(String(success.detail.merchant_uid))).status).toBe("paid");
      await page.screenshot("7-mobile-success");

      await page.reload();
      await waitFor(page, payButton);
      // A page without a return prefetches the SDK; a wrongly kept return reports instead.
      await waitUntil(
        page,
        `window.IMP !== undefined || (window.__events ?? []).length > 0`,
        "the SDK prefetch or an event",
      );
      expect(await events(page)).toEqual([]);
    });

    it("confirms through an error after approval: one success event, one paid order, no second order", async () => {
      const page = await openShop();
      const before = front.requests.length;
      await breakIamport();
      try {
        await page.click(payButton);
        await page.click(button("Approve"));
        // The element keeps confirming and never invites a second payment.
        await waitForStatus(page, "결제를 확인하고 있습니다");
      } finally {
        await mendIamport();
      }
      // Retries back off to every 10 s: a bound of a few rounds.
      await waitUntil(
        page,
        `(window.__events ?? []).some((e) => e.type !== "iamport-pay-start")`,
        "the final event",
        90_000,
      );
      const final = (await events(page)).filter((e) => e.type !== "iamport-pay-start");
      expect(final.map((e) => e.type)).toEqual(["iamport-pay-success"]);
      expect((await order(String(final[0]?.detail.merchant_uid))).status).toBe("paid");
      const orderRequests = front.requests
        .slice(before)
        .filter((r) => r.method === "POST" && r.path === "/orders");
      expect(orderRequests).toHaveLength(1);
    });

    it("starts one order and one payment for a double click", async () => {
      const page = await openShop();
      const before = front.requests.length;
      await page.doubleClick(payButton);
      await page.click(button("Approve"));
      await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
      const orderRequests = front.requests
        .slice(before)
        .filter((r) => r.method === "POST" && r.path === "/orders");
      expect(orderRequests).toHaveLength(1);
      expect((await events(page)).filter((e) => e.type === "iamport-pay-start")).toHaveLength(1);
    });
  },
  // A bound for a whole journey on a loaded 2-core machine, not a speed target.
  120_000,
);
