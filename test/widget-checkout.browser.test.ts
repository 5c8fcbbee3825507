/// <reference types="mocha" />
// The built widget, served by the real server, paying through the sandbox's stand-in SDK and
// checkout page: what a shop's page does, with a test pressing the checkout's buttons.
import { expect, oneEvent } from "@open-wc/testing";

const PAY = "/pay";
const SDK = `${PAY}/sandbox/iamport.payment.js`;

type PayButton = HTMLElement & { updateComplete: Promise<boolean>; state: string };

async function until<T>(probe: () => T | null | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** A button inside the checkout iframe, found by its accessible name as a shopper would. */
async function checkoutButton(name: string): Promise<HTMLButtonElement> {
  return until(() => {
    const frame = document.querySelector<HTMLIFrameElement>(
      'iframe[title="Iamport sandbox checkout"]',
    );
    const doc = frame?.contentDocument;
    // Not while the page is still parsing: its script, after the buttons, attaches their
    // handlers, and a click before it would be lost (no shopper is that fast).
    if (!doc || doc.readyState === "loading") return undefined;
    const buttons = doc.querySelectorAll("button");
    return Array.from(buttons).find(
      (b) => (b.getAttribute("aria-label") ?? b.textContent ?? "").trim() === name && !b.disabled,
    );
  });
}

async function mountButton(attributes: string): Promise<PayButton> {
  await import(`${PAY}/iamport-pay-button.js` as string);
  const host = document.createElement("div");
  host.innerHTML = `<iamport-pay-button server="${PAY}" sdk-url="${SDK}" ${attributes}></iamport-pay-button>`;
  document.body.append(host);
  const el = host.querySelector("iamport-pay-button") as unknown as PayButton;
  await el.updateComplete;
  return el;
}

function pressPay(el: PayButton) {
  el.shadowRoot?.querySelector("button")?.click();
}

describe("the widget with the real server and the sandbox", () => {
  afterEach(() => {
    for (const el of Array.from(document.querySelectorAll("iamport-pay-button"))) {
      el.parentElement?.remove();
    }
  });

  it("a card payment approved on the checkout page is verified by the server as paid", async () => {
    const el = await mountButton('sku="chair-001" quantity="2" buyer-name="홍길동"');

    const started = oneEvent(el, "iamport-pay-start");
    const succeeded = oneEvent(el, "iamport-pay-success");
    pressPay(el);
    const start = await started;
    expect(start.detail).to.include({ amount: 129_800, currency: "KRW" });
    (await checkoutButton("Approve")).click();
    const { detail } = await succeeded;

    expect(detail.merchant_uid).to.equal(start.detail.merchant_uid);
    expect(detail.order).to.include({ status: "paid", amount: 129_800, imp_uid: detail.imp_uid });
    expect(el.state).to.equal("success");
    const stored = await (await fetch(`${PAY}/orders/${detail.merchant_uid}`)).json();
    expect(stored.status).to.equal("paid");
  });

  it("a virtual account issued on the checkout page fires iamport-pay-vbank-issued", async () => {
    const el = await mountButton('sku="mug-002" pay-method="vbank"');

    const issued = oneEvent(el, "iamport-pay-vbank-issued");
    pressPay(el);
    (await checkoutButton("Issue virtual account")).click();
    const { detail } = await issued;

    expect(detail.order.status).to.equal("ready");
    expect(detail.vbank.number).to.be.a("string").and.not.equal("");
    const stored = await (await fetch(`${PAY}/orders/${detail.merchant_uid}`)).json();
    expect(stored.status).to.equal("ready");
  });

  it("closing the checkout page reports shopper_cancelled", async () => {
    const el = await mountButton('sku="lamp-003"');

    const failed = oneEvent(el, "iamport-pay-failure");
    pressPay(el);
    (await checkoutButton("Close")).click();

    expect((await failed).detail.code).to.equal("shopper_cancelled");
  });

  it("a decline on the checkout page reports pg_declined and the server records the failure", async () => {
    const el = await mountButton('sku="lamp-003"');

    const failed = oneEvent(el, "iamport-pay-failure");
    pressPay(el);
    (await checkoutButton("Decline")).click();
    const { detail } = await failed;

    expect(detail.code).to.equal("pg_declined");
    const stored = await (await fetch(`${PAY}/orders/${detail.merchant_uid}`)).json();
    expect(stored.status).to.equal("failed");
  });

  it("a shopper who pays another amount on the checkout page gets forgery, and the order is marked forged", async () => {
    const el = await mountButton('sku="chair-001"');

    const failed = oneEvent(el, "iamport-pay-failure");
    pressPay(el);
    const approve = await checkoutButton("Approve");
    const amount = approve.ownerDocument.querySelector<HTMLInputElement>("#amount");
    if (!amount) throw new Error("the checkout page has no Amount field");
    amount.value = "100";
    approve.click();
    const { detail } = await failed;

    expect(detail.code).to.equal("forgery");
    const stored = await (await fetch(`${PAY}/orders/${detail.merchant_uid}`)).json();
    expect(stored.status).to.equal("forged");
  });
});

/** Creates an order as the widget would, and lets the server's mobile return send us back. */
async function returnFromMobile(
  query: (order: { merchant_uid: string; amount: number }) => Promise<Record<string, string>>,
) {
  const created = await fetch(`${PAY}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items: [{ sku: "mug-002", quantity: 1 }] }),
  });
  const order = (await created.json()) as { merchant_uid: string; amount: number };
  // What the page's (first) button records before it redirects: only it reports the return.
  sessionStorage.setItem(
    "iamport-pay.pending",
    JSON.stringify([
      { merchant_uid: order.merchant_uid, approved: false, key: "@0", at: Date.now() },
    ]),
  );
  const back = new URL(`${PAY}/payments/complete/mobile`, location.href);
  for (const [name, value] of Object.entries(await query(order)))
    back.searchParams.set(name, value);
  back.searchParams.set("merchant_uid", order.merchant_uid);
  back.searchParams.set("return", location.href);
  // fetch follows the server's 303 back to this page; its final URL is where the shopper lands.
  const landed = await fetch(back);
  expect(landed.redirected, "the server redirected back").to.equal(true);
  history.replaceState(null, "", landed.url);
  return order;
}

describe("a mobile return through the real server", () => {
  const ours = ["merchant_uid", "imp_uid", "imp_success", "error_code", "error_msg", "iamport_pay"];

  afterEach(() => {
    for (const el of Array.from(document.querySelectorAll("iamport-pay-button"))) {
      el.parentElement?.remove();
    }
    const url = new URL(location.href);
    for (const name of ours) url.searchParams.delete(name);
    history.replaceState(null, "", url);
  });

  it("a payment made on the PG's page is reported as paid and the address bar is cleaned", async () => {
    const order = await returnFromMobile(async ({ merchant_uid, amount }) => {
      // The sandbox's control API stands in for the shopper paying on the PG's mobile page.
      const paid = await fetch(`${PAY}/sandbox/control/payments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ merchant_uid, amount }),
      });
      const payment = (await paid.json()) as { imp_uid: string };
      return { imp_uid: payment.imp_uid, imp_success: "true" };
    });
    const succeeded = new Promise<
      Event & { detail: { merchant_uid: string; order: { status: string } } }
    >((resolve) =>
      document.addEventListener("iamport-pay-success", resolve as EventListener, { once: true }),
    );

    await mountButton('sku="mug-002"');
    const { detail } = await succeeded;

    expect(detail.merchant_uid).to.equal(order.merchant_uid);
    expect(detail.order.status).to.equal("paid");
    const url = new URL(location.href);
    for (const name of ours) expect(url.searchParams.has(name), name).to.equal(false);
  });

  it("a shopper who closed the PG's page is reported as shopper_cancelled", async () => {
    await returnFromMobile(async () => ({
      imp_success: "false",
      error_code: "F400",
      error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
    }));
    const failed = new Promise<Event & { detail: { code: string } }>((resolve) =>
      document.addEventListener("iamport-pay-failure", resolve as EventListener, { once: true }),
    );

    await mountButton('sku="mug-002"');

    expect((await failed).detail.code).to.equal("shopper_cancelled");
    expect(new URL(location.href).searchParams.has("error_msg")).to.equal(false);
  });
});
