// The classic script as built (minified, its own property names shortened, Lit trimmed), through
// the journeys that use what the build changes: the other suites run src/ on Lit's development
// build, so only these would see a name the minifier broke or a Lit cut the element needed.
import { expect, oneEvent } from "@open-wc/testing";
import { sendMouse } from "@web/test-runner-commands";
import type { PaySuccessEvent, PayVbankIssuedEvent } from "../src/events.js";
import {
  approve,
  fakeServer,
  inner,
  issueVbank,
  lastRequestPay,
  mount,
  sdkAnswers,
  statusText,
  until,
} from "./fake.js";

before(async () => {
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/widget/dist/iamport-pay-button.iife.js";
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("run the widget's build first"));
    document.head.append(script);
  });
  // The element must come from the classic script, not from a module import.
  expect(customElements.get("iamport-pay-button")).to.equal(
    (window as unknown as { IamportPayButton: { IamportPayButton: unknown } }).IamportPayButton
      .IamportPayButton,
  );
});

describe("the classic script's element", () => {
  it("pays: attributes reach the server and Iamport, the verified success is shown and reflected", async () => {
    const server = fakeServer();
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001" quantity="2" pay-method="card" buyer-name="홍길동" timeout="20000"></iamport-pay-button>`,
    );
    expect(inner(el).textContent?.trim()).to.equal("결제하기");

    const started = oneEvent(el, "iamport-pay-start");
    const succeeded = oneEvent(el, "iamport-pay-success") as Promise<PaySuccessEvent>;
    inner(el).click();
    await started;
    const { detail } = await succeeded;
    await el.updateComplete;

    expect(detail.order.status).to.equal("paid");
    expect(lastRequestPay()).to.include({ pay_method: "card", buyer_name: "홍길동" });
    const orders = (await server.log()).find((r) => r.path === "orders");
    expect(orders?.body).to.deep.include({ items: [{ sku: "chair-001", quantity: 2 }] });
    expect(el.getAttribute("state")).to.equal("success");
    expect(inner(el).getAttribute("aria-disabled")).to.equal("true");
    expect(statusText(el)).to.equal("결제가 완료되었습니다.");
  });

  it("says it is confirming while the server is retried after an approval", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("complete-503-once").url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );
    const messages: string[] = [];
    const watch = new MutationObserver(() => messages.push(statusText(el)));
    watch.observe(el.shadowRoot as ShadowRoot, {
      subtree: true,
      childList: true,
      characterData: true,
    });

    const succeeded = oneEvent(el, "iamport-pay-success");
    inner(el).click();
    await succeeded;
    await el.updateComplete;
    watch.disconnect();

    expect(messages).to.include("Confirming your payment. Do not pay again.");
    expect(statusText(el)).to.equal("Payment complete.");
  });

  it("gives the virtual account to pay into", async () => {
    sdkAnswers(issueVbank);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );

    const issued = oneEvent(el, "iamport-pay-vbank-issued") as Promise<PayVbankIssuedEvent>;
    inner(el).click();
    await issued;
    await el.updateComplete;

    expect(statusText(el)).to.match(
      /^A virtual account was issued: KB국민은행 12345678901234, holder \(주\)상점\. Please deposit by .+\.$/,
    );
  });

  it("says a button set up wrong is not set up, and comes to life when the page sets `sku`", async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const el = await mount(
        `<iamport-pay-button server="${fakeServer().url}" lang="en"></iamport-pay-button>`,
      );
      expect(inner(el).disabled).to.equal(true);
      expect(statusText(el)).to.equal("This payment button is not set up.");

      el.sku = "chair-001";
      await el.updateComplete;
      expect(inner(el).disabled).to.equal(false);
      expect(statusText(el)).to.equal("");
    } finally {
      console.error = original;
    }
  });

  it('with redirect="always" hands Iamport a return to this page', async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" redirect="always"></iamport-pay-button>`,
    );

    const succeeded = oneEvent(el, "iamport-pay-success");
    inner(el).click();
    await succeeded;

    const back = new URL(lastRequestPay()?.m_redirect_url ?? "");
    expect(back.pathname.endsWith("/payments/complete/mobile")).to.equal(true);
    expect(back.searchParams.get("return")).to.equal(location.href);
  });

  it("asks for one more click when the first click's activation expired", async () => {
    const server = fakeServer("orders-slow");
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001" redirect="never" lang="en"></iamport-pay-button>`,
    );
    const clickButton = async () => {
      const box = inner(el).getBoundingClientRect();
      await sendMouse({
        type: "click",
        position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)],
      });
    };

    const succeeded = oneEvent(el, "iamport-pay-success");
    await clickButton();
    // The fake server holds /orders for 5.5 s, past the browser's activation window.
    await until(() => inner(el).textContent?.trim() === "Continue to payment");
    await clickButton();
    await succeeded;

    expect((await server.log()).filter((r) => r.path === "orders")).to.have.length(1);
  }).timeout(20_000);
});
