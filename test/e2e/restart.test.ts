// A merchant's page on its own origin, the server with (sandbox) keys, and the sandbox standing in
// for Iamport in this process: the server goes down while the shopper is in the checkout. The
// page must say so clearly, and once the server is back, Iamport's retried webhook settles the
// order. The database is a PGlite directory, so it survives the restart.
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

it("reports a server that went down mid-payment, and a retried webhook settles the order after restart", async () => {
  let server = await start();
  const page = await browser.newPage();
  await recordEvents(page);
  await page.goto(shopUrl);
  await page.getByRole("button", { name: "결제하기" }).click();
  const start_ = await waitForEvent(page, "iamport-pay-start");
  const merchantUid = String(start_.detail.merchant_uid);

  await server.close();
  await clickCheckout(page, "Approve");
  const failure = await waitForEvent(page, "iamport-pay-failure", "iamport-pay-success");
  expect(failure.type).toBe("iamport-pay-failure");
  expect(["network_error", "server_error"]).toContain(failure.detail.code);
  expect(String(failure.detail.message)).not.toBe("");
  await screenshot(page, "8-server-down");

  server = await start();
  try {
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
    expect(ours.at(-1)?.response_status).toBe(200);
  } finally {
    await page.close();
    await server.close();
  }
});
