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
    const buttons = frame?.contentDocument?.querySelectorAll("button") ?? [];
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
});
