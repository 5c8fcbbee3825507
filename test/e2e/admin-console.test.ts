// The staff console in Debian's Chromium against a server in sandbox mode: sign in, search, open
// an order, refund part of it after the confirmation, and refund a forged virtual-account deposit
// from the refunds-required list. axe-core checks each view; the layout is checked at 360 px.
import { createRequire } from "node:module";
import { loadConfig, silentLogger, startServer } from "@iamport-pay/server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./browser.js";

const TOKEN = "console-test-token-0123456789abcdef01234567";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  server = await startServer(
    loadConfig({ PORT: "0", DATABASE_URL: "memory://", ADMIN_TOKEN: TOKEN }),
    { log: silentLogger },
  );
  browser = await launchChromium();
  // Starting PGlite and Chromium on a busy machine: a generous bound, not a speed target.
}, 300_000);
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 120_000);

async function json(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** An order paid by card in the sandbox and completed, with the buyer's details stored. */
async function paidOrder(email: string, status: "paid" | "ready" = "paid", amount?: number) {
  const order = await json("POST", "/orders", {
    items: [{ sku: "chair-001", quantity: 1 }],
    buyer: { name: "김철수", email, tel: "010-1234-5678" },
  });
  const payment = await json("POST", "/sandbox/control/payments", {
    merchant_uid: order.merchant_uid,
    amount: amount ?? order.amount,
    status,
    notice_url: "http://127.0.0.1:9/lost",
  });
  const completed = json("POST", "/payments/complete", {
    imp_uid: payment.imp_uid,
    merchant_uid: order.merchant_uid,
  });
  // A wrong amount is meant to be refused as a forgery (400).
  await (amount === undefined ? completed : completed.catch(() => {}));
  return { merchantUid: order.merchant_uid as string, impUid: payment.imp_uid as string };
}

async function openConsole(options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  // axe is injected as a script, which the console's CSP would rightly refuse.
  context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/`);
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.getByLabel("관리자 토큰").fill(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "주문" }).waitFor();
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time.
    const axe = (window as any).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return result.violations.map(
    (v: { id: string; nodes: { target: string[] }[] }) =>
      `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

describe("the admin console in Chromium", { timeout: 300_000 }, () => {
  it("signs in with the keyboard, keeps the token in sessionStorage only, and refuses a wrong one", async () => {
    const page = await openConsole();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("token");

    await page.keyboard.type("not-the-token");
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: "토큰이 맞지 않습니다" }).waitFor();

    await page.getByLabel("관리자 토큰").fill(TOKEN);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "주문" }).waitFor();
    const storage = await page.evaluate(() => ({
      session: JSON.stringify(sessionStorage),
      local: JSON.stringify(localStorage),
      cookie: document.cookie,
    }));
    expect(storage.session).toContain(TOKEN);
    expect(storage.local).not.toContain(TOKEN);
    expect(storage.cookie).toBe("");
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "로그아웃" }).click();
    await page.getByLabel("관리자 토큰").waitFor();
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(TOKEN);
  });

  it("searches by buyer email, opens the order and shows its payments and timeline", async () => {
    const wanted = await paidOrder("wanted@example.com");
    await paidOrder("other@example.com");
    const page = await openConsole();
    await signIn(page);

    await page.getByRole("searchbox", { name: "검색" }).fill("wanted@");
    await page.getByRole("button", { name: "검색", exact: true }).click();
    await expect.poll(() => page.locator("#orders-table tbody tr").count()).toBe(1);
    await page.locator("#orders-table tbody tr a").click();

    await page.getByRole("heading", { level: 1, name: "원목 의자" }).waitFor();
    await expect
      .poll(() => page.locator("#payments-table tbody").textContent())
      .toContain(wanted.impUid);
    await expect.poll(() => page.locator("#timeline li").count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("refunds part of an order after a confirmation that names the amount", async () => {
    const { merchantUid } = await paidOrder("partial@example.com");
    const page = await openConsole();
    await signIn(page);
    await page.goto(`${server.url}/admin/#/orders/${merchantUid}`);
    await page.getByRole("heading", { level: 1, name: "원목 의자" }).waitFor();

    await page.getByLabel("환불 금액").fill("10,000");
    await page.getByLabel("사유").fill("다리 한쪽 파손");
    await page.getByRole("button", { name: "환불하기…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("₩10,000");
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: /₩10,000 환불/ }).click();

    await page.getByRole("status").filter({ hasText: "₩10,000을(를) 환불했습니다" }).waitFor();
    const { order } = await json("GET", `/admin/orders/${merchantUid}`);
    expect(order).toMatchObject({ cancel_amount: 10_000, refundable_amount: 54_900 });
    await screenshot(page, "admin-console-refunded");
  });

  it("cancels nothing when the confirmation is dismissed", async () => {
    const { merchantUid } = await paidOrder("dismiss@example.com");
    const page = await openConsole();
    await signIn(page);
    await page.goto(`${server.url}/admin/#/orders/${merchantUid}`);
    await page.getByRole("heading", { level: 1, name: "원목 의자" }).waitFor();
    await page.getByLabel("사유").fill("test");
    await page.getByRole("button", { name: "환불하기…" }).click();
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    const { order } = await json("GET", `/admin/orders/${merchantUid}`);
    expect(order.cancel_amount).toBe(0);
  });

  it("lists refunds required and refunds a forged virtual-account deposit to the shopper's account, in English at 360 px", async () => {
    const forged = await paidOrder("forged@example.com", "ready", 1_000);
    await json("POST", `/sandbox/control/payments/${forged.impUid}/deposit`);
    await json("POST", "/payments/complete", {
      imp_uid: forged.impUid,
      merchant_uid: forged.merchantUid,
    }).catch(() => {}); // 400 forgery

    const page = await openConsole({ viewport: { width: 360, height: 740 }, isMobile: true });
    await page.getByLabel("언어").selectOption("en");
    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Orders" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );

    await page.getByRole("link", { name: "Refunds required" }).click();
    await page.getByRole("heading", { level: 1, name: "Refunds required" }).waitFor();
    const row = page.locator("#rr-table tbody tr").filter({ hasText: forged.impUid });
    await row.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole("link", { name: `Refund ${forged.impUid}` }).click();

    await page.getByText(`Refunds payment ${forged.impUid}`).waitFor();
    await page.getByLabel("Reason").fill("forged deposit");
    await page.getByLabel("Account holder").fill("홍길동");
    await page.getByLabel("Bank code").fill("004");
    await page.getByLabel("Account number").fill("123-456-789012");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Refund…" }).click();
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /Refund ₩1,000/ })
      .click();
    await page.getByRole("status").filter({ hasText: "Refunded ₩1,000" }).waitFor();
    await screenshot(page, "admin-console-refund-required-360");

    const { refunds_required } = await json("GET", "/admin/refunds-required");
    expect(
      refunds_required.filter((r: { imp_uid: string }) => r.imp_uid === forged.impUid),
    ).toEqual([]);
  });
});
