// The whole journey as a shopper makes it: the demo shop in Debian's Chromium, the server in
// sandbox mode on a fresh in-memory database, the sandbox's checkout clicked by its buttons.
// Each test checks the events the page got, the order the server stored, and what the sandbox saw.
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import { OrderView, type Payment } from "@iamport-pay/shared";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  clickCheckout,
  events,
  fillCheckoutAmount,
  launchChromium,
  mobile,
  recordEvents,
  screenshot,
  waitForEvent,
} from "./browser.js";

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext | undefined;
/** What Chromium refused under the pages' Content-Security-Policy: every test ends with none. */
let refused: string[] = [];

beforeAll(async () => {
  server = await startServer(loadConfig({ PORT: "0", DATABASE_URL: "memory://" }), {
    log: silentLogger,
  });
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  const seen = refused;
  refused = [];
  expect(seen).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openShop(options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  context = await browser.newContext(options);
  const page = await context.newPage();
  await recordEvents(page);
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  await page.goto(`${server.url}/`);
  await page.getByRole("button", { name: /결제하기/ }).waitFor();
  return page;
}

async function pay(page: Page): Promise<void> {
  await page.getByRole("button", { name: /결제하기/ }).click();
}

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

type Webhook = { body: Record<string, string>; url: string };
async function webhooksFor(merchantUid: string): Promise<Webhook[]> {
  await server.sandbox?.settled();
  const response = await fetch(`${server.url}/sandbox/control/webhooks`);
  const json = await response.json();
  const list: Webhook[] = Array.isArray(json) ? json : (json.webhooks ?? json.response ?? []);
  return list.filter((w) => w.body?.merchant_uid === merchantUid);
}

describe("the demo shop in Chromium", { timeout: 120_000 }, () => {
  it("pays by card: the page hears success and the order is paid", async () => {
    const page = await openShop();
    await screenshot(page, "1-idle");
    await pay(page);
    await clickCheckout(page, "Approve");
    const success = await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
    expect(success.type).toBe("iamport-pay-success");
    const merchantUid = String(success.detail.merchant_uid);
    await screenshot(page, "2-success");

    expect((await order(merchantUid)).status).toBe("paid");
    const hooks = await webhooksFor(merchantUid);
    expect(hooks.map((w) => w.body.status)).toContain("paid");
  });

  it("reports a shopper who closes the checkout, and the order keeps the failed attempt", async () => {
    const page = await openShop();
    await pay(page);
    const start = await waitForEvent(page, "iamport-pay-start");
    await clickCheckout(page, "Close");
    const failure = await waitForEvent(page, "iamport-pay-failure");
    expect(failure.detail.code).toBe("shopper_cancelled");
    await screenshot(page, "3-cancelled");
    // Closing leaves a failed payment at Iamport (as the V1 guide says), which the server records.
    expect((await order(String(start.detail.merchant_uid))).status).toBe("failed");
  });

  it("reports a PG decline as a failure", async () => {
    const page = await openShop();
    await pay(page);
    const start = await waitForEvent(page, "iamport-pay-start");
    await clickCheckout(page, "Decline");
    const failure = await waitForEvent(page, "iamport-pay-failure");
    expect(failure.detail.code).toBe("pg_declined");
    expect(["failed", "pending"]).toContain(
      (await order(String(start.detail.merchant_uid))).status,
    );
  });

  it("issues a virtual account, and a deposit from the console pays the order", async () => {
    const page = await openShop();
    await page.getByLabel("Virtual account").check();
    await pay(page);
    await clickCheckout(page, "Issue virtual account");
    const issued = await waitForEvent(page, "iamport-pay-vbank-issued", "iamport-pay-failure");
    expect(issued.type).toBe("iamport-pay-vbank-issued");
    const merchantUid = String(issued.detail.merchant_uid);
    const impUid = String(issued.detail.imp_uid);
    const vbank = issued.detail.vbank as { number: string };
    expect(vbank.number).toMatch(/\d/);
    expect((await order(merchantUid)).status).toBe("ready");
    await screenshot(page, "4-vbank-issued");

    const deposit = await fetch(`${server.url}/sandbox/control/payments/${impUid}/deposit`, {
      method: "POST",
    });
    expect(deposit.status).toBe(200);
    await server.sandbox?.settled();
    expect((await order(merchantUid)).status).toBe("paid");
    expect((await webhooksFor(merchantUid)).map((w) => w.body.status)).toEqual(["ready", "paid"]);
    // The demo page polls the order while a deposit is awaited, and says when it lands.
    await page.getByText("입금이 확인되었습니다").waitFor({ timeout: 60_000 });
    await screenshot(page, "5-vbank-deposited");
  });

  it("lets the sandbox console list the order and deposit into its virtual account", async () => {
    const page = await openShop();
    await page.getByLabel("Virtual account").check();
    await pay(page);
    await clickCheckout(page, "Issue virtual account");
    const issued = await waitForEvent(page, "iamport-pay-vbank-issued", "iamport-pay-failure");
    const merchantUid = String(issued.detail.merchant_uid);

    await page.goto(`${server.url}/sandbox-console/`);
    const row = page.getByRole("row").filter({ hasText: merchantUid.slice(0, 12) });
    await row.getByRole("button", { name: "Deposit" }).click();
    await page.getByText("Done: the sandbox sent its webhook.").waitFor({ timeout: 60_000 });
    await server.sandbox?.settled();

    expect((await order(merchantUid)).status).toBe("paid");
    await row.getByRole("button", { name: "Cancel" }).waitFor({ timeout: 60_000 });
  });

  it("catches an amount changed in the checkout as a forgery and cancels the payment", async () => {
    const page = await openShop();
    await pay(page);
    await fillCheckoutAmount(page, 100);
    await clickCheckout(page, "Approve");
    const failure = await waitForEvent(page, "iamport-pay-failure", "iamport-pay-success");
    expect(failure.type).toBe("iamport-pay-failure");
    expect(failure.detail.code).toBe("forgery");
    await screenshot(page, "6-forgery");
    const merchantUid = String(failure.detail.merchant_uid);
    expect((await order(merchantUid)).status).toBe("forged");
    const payment = await sandboxPayment(String(failure.detail.imp_uid));
    expect(payment.status).toBe("cancelled");
  });

  it("comes back from a mobile redirect with one success event and a clean address", async () => {
    const page = await openShop(mobile);
    await pay(page);
    await clickCheckout(page, "Approve");
    await page.waitForURL((url) => url.origin === server.url && url.pathname === "/");
    const success = await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
    expect(success.type).toBe("iamport-pay-success");
    await page.waitForFunction(() => !location.search.includes("merchant_uid"));
    expect(new URL(page.url()).search).toBe("");
    expect((await events(page)).filter((e) => e.type === "iamport-pay-success")).toHaveLength(1);
    expect((await order(String(success.detail.merchant_uid))).status).toBe("paid");
    await screenshot(page, "7-mobile-success");

    await page.reload();
    await page.getByRole("button", { name: /결제하기/ }).waitFor();
    // Give a wrongly kept parameter the time to fire before looking.
    await page.waitForLoadState("networkidle");
    expect(await events(page)).toEqual([]);
  });

  it("starts one order and one payment for a double click", async () => {
    const page = await openShop();
    let orderRequests = 0;
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/orders") {
        orderRequests += 1;
      }
    });
    await page.getByRole("button", { name: /결제하기/ }).dblclick();
    await clickCheckout(page, "Approve");
    await waitForEvent(page, "iamport-pay-success", "iamport-pay-failure");
    expect(orderRequests).toBe(1);
    expect((await events(page)).filter((e) => e.type === "iamport-pay-start")).toHaveLength(1);
  });
});
