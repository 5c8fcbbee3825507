// A merchant's page on its own origin, the server with (sandbox) keys, and the sandbox standing in
// for Iamport in this process: the server goes down while the shopper is in the checkout. The
// page keeps confirming (never "try again" after an approval), and once the server is back, the
// page's retry or Iamport's retried webhook settles the order and the page hears success. The
// database is a PGlite directory, so it survives the restart.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createSandbox, sandboxDefaults } from "@iamport-pay/sandbox";
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import { OrderView } from "@iamport-pay/shared";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  clickCheckout,
  events,
  launchChromium,
  recordEvents,
  screenshot,
  waitForEvent,
} from "./browser.js";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const dataDir = mkdtempSync(join(tmpdir(), "iamport-pay-restart-"));
const serverPort = await freePort();
const serverUrl = `http://127.0.0.1:${serverPort}`;
// Iamport retries a failed webhook only when the merchant asks; this merchant did.
const sandbox = createSandbox({
  noticeUrl: `${serverUrl}/iamport-webhook`,
  webhookRetries: 8,
  webhookRetryDelayMs: 1000,
});
let sandboxServer: Server;
let sandboxUrl: string;
let shop: Server;
let shopUrl: string;
let browser: Browser;

function start() {
  return startServer(
    loadConfig({
      PORT: String(serverPort),
      DATABASE_URL: dataDir,
      IMP_CODE: sandboxDefaults.impCode,
      IMP_KEY: sandboxDefaults.impKey,
      IMP_SECRET: sandboxDefaults.impSecret,
      IAMPORT_API_URL: sandboxUrl,
      ACCEPT_TEST_PAYMENTS: "true",
      ALLOWED_ORIGINS: shopUrl,
    }),
    { log: silentLogger, acceptSandboxPayments: true },
  );
}

beforeAll(async () => {
  sandboxServer = serve({ fetch: sandbox.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise((resolve) => sandboxServer.once("listening", resolve));
  sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`;
  // The merchant's own page: a script tag and the element, nothing else.
  shop = createServer((_request, response) => {
    response.setHeader("content-type", "text/html; charset=utf-8");
    response.end(`<!doctype html><html lang="ko"><meta charset="utf-8">
      <script type="module" src="${serverUrl}/iamport-pay-button.js"></script>
      <iamport-pay-button server="${serverUrl}" sku="chair-001"
        sdk-url="${sandboxUrl}/iamport.payment.js">결제하기</iamport-pay-button>`);
  });
  shopUrl = `http://127.0.0.1:${await listen(shop)}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sandbox.close();
  sandboxServer?.close();
  shop?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it("confirms through a server that went down mid-payment, and ends in success once it is back", async () => {
  let server = await start();
  const page = await browser.newPage();
  await recordEvents(page);
  await page.goto(shopUrl);
  await page.getByRole("button", { name: "결제하기" }).click();
  const start_ = await waitForEvent(page, "iamport-pay-start");
  const merchantUid = String(start_.detail.merchant_uid);

  await server.close();
  await clickCheckout(page, "Approve");
  await page
    .locator('iamport-pay-button [part="status"]')
    .getByText("결제를 확인하고 있습니다")
    .waitFor({ timeout: 60_000 });
  await screenshot(page, "8-server-down");

  server = await start();
  try {
    // Confirmation retries every 10 s at most: give it a few rounds.
    await page.waitForFunction(
      () =>
        (window as unknown as { __events: { type: string }[] }).__events.some(
          (e) => e.type !== "iamport-pay-start",
        ),
      undefined,
      { timeout: 90_000 },
    );
    const final = (await events(page)).filter((e) => e.type !== "iamport-pay-start");
    expect(final.map((e) => e.type)).toEqual(["iamport-pay-success"]);

    await sandbox.settled();
    const response = await fetch(`${serverUrl}/orders/${merchantUid}`);
    const order = OrderView.parse(await response.json());
    expect(order.status).toBe("paid");

    const attempts = (await (await fetch(`${sandboxUrl}/control/webhooks`)).json()) as {
      body: { merchant_uid: string };
      response_status: number | null;
    }[];
    const ours = attempts.filter((a) => a.body.merchant_uid === merchantUid);
    expect(ours[0]?.response_status ?? null).toBeNull(); // refused: the server was down
  } finally {
    await page.close();
    await server.close();
  }
}, 240_000);
