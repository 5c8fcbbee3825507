// What a shopper (and a keyboard or screen reader user) lives through: every rsp shape of the
// SDK, a reload during confirmation, a refused origin, a click whose activation expired, focus,
// the paid button, the virtual account message and a button set up wrong.
import { expect, oneEvent } from "@open-wc/testing";
import { sendKeys, sendMouse } from "@web/test-runner-commands";
import type { PayFailureEvent, PaySuccessEvent, PayVbankIssuedEvent } from "../src/events.js";
import {
  approve,
  fakeServer,
  inner,
  issueVbank,
  mount,
  sdkAnswers,
  startedHere,
  statusText,
  until,
} from "./helpers.js";

describe("the rsp shapes of Iamport's SDK, through the element", () => {
  it("a closed window that leaves a failed payment with an imp_uid reports shopper_cancelled at once", async () => {
    const server = fakeServer();
    sdkAnswers((p) => ({
      success: false,
      imp_uid: `imp_failed_${p.merchant_uid}`,
      merchant_uid: p.merchant_uid,
      error_code: "F400",
      error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
    }));
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );
    const messages: string[] = [];
    const watch = new MutationObserver(() => messages.push(statusText(el)));
    watch.observe(el.shadowRoot!, { subtree: true, characterData: true, childList: true });

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();
    const { detail } = await failed;
    watch.disconnect();

    expect(detail.code).to.equal("shopper_cancelled");
    expect(detail.imp_uid).to.equal(`imp_failed_${detail.merchant_uid}`);
    expect(messages.some((m) => m.startsWith("Confirming"))).to.equal(false);
    expect((await server.log()).filter((r) => r.path === "payments/complete")).to.have.length(1);
  });

  it("an approval in the newer style (no success field) ends in success", async () => {
    sdkAnswers((p) => ({ imp_uid: `imp_paid_${p.merchant_uid}`, merchant_uid: p.merchant_uid }));
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    const succeeded = oneEvent(el, "iamport-pay-success") as Promise<PaySuccessEvent>;
    inner(el).click();

    expect((await succeeded).detail.order.status).to.equal("paid");
  });

  it("an approval carrying only merchant_uid is confirmed from the server's order", async () => {
    const server = fakeServer();
    sdkAnswers((p) => ({ merchant_uid: p.merchant_uid }));
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const succeeded = oneEvent(el, "iamport-pay-success") as Promise<PaySuccessEvent>;
    inner(el).click();
    const { detail } = await succeeded;

    expect((await server.log()).map((r) => `${r.method} ${r.path}`)).to.include(
      `GET orders/${detail.merchant_uid}`,
    );
  });
});

describe("confirmation survives a reload", () => {
  it("a button whose approved payment was being confirmed resumes after a reload and fires one event", async () => {
    const server = fakeServer();
    // What the page stored before the reload: Iamport approved, the server had not answered.
    startedHere("m_reloaded", "@0", "imp_paid_m_reloaded");
    let events = 0;
    const count = () => {
      events += 1;
    };
    document.addEventListener("iamport-pay-success", count);
    const succeeded = new Promise<PaySuccessEvent>((resolve) =>
      document.addEventListener("iamport-pay-success", resolve, { once: true }),
    );

    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );
    const { detail } = await succeeded;
    await el.updateComplete;
    document.removeEventListener("iamport-pay-success", count);

    expect(detail.merchant_uid).to.equal("m_reloaded");
    expect(events).to.equal(1);
    expect(el.state).to.equal("success");
    const complete = (await server.log()).find((r) => r.path === "payments/complete");
    expect(complete?.body).to.deep.equal({
      imp_uid: "imp_paid_m_reloaded",
      merchant_uid: "m_reloaded",
    });
    // Settled: a second reload has nothing left to resume.
    expect(sessionStorage.getItem("iamport-pay.pending")).to.equal("[]");
  });
});

describe("a page on an origin the server refuses", () => {
  it("says the shop's server does not accept this page, and tells the developer how to fix it", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const el = await mount(
        `<iamport-pay-button server="${fakeServer("origin-403").url}" sku="chair-001" lang="en"></iamport-pay-button>`,
      );
      const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
      inner(el).click();
      const { detail } = await failed;
      await el.updateComplete;

      expect(detail.code).to.equal("origin_not_allowed");
      expect(statusText(el)).to.equal("This shop's payment server does not accept this page.");
      expect(errors.join("\n")).to.contain(`add ${location.origin} to ALLOWED_ORIGINS`);
    } finally {
      console.error = original;
    }
  });
});

describe("a click whose activation expired while the order was made", () => {
  it('asks for one more click ("continue to payment") instead of opening Iamport into a blocker', async () => {
    const server = fakeServer("orders-slow");
    let activeAtRequestPay: boolean | undefined;
    sdkAnswers((p) => {
      activeAtRequestPay = navigator.userActivation.isActive;
      return approve(p);
    });
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
    // The fake server holds /orders for 5.5 s, past Chromium's activation window.
    await until(() => inner(el).textContent?.trim() === "Continue to payment");
    expect(activeAtRequestPay).to.equal(undefined);
    expect(statusText(el)).to.equal("Continue to payment");
    await clickButton();
    await succeeded;

    expect(activeAtRequestPay).to.equal(true);
    expect((await server.log()).filter((r) => r.path === "orders")).to.have.length(1);
  }).timeout(20_000);
});

describe("keyboard, focus and the paid button", () => {
  it("focus stays on the button through the payment, returns after the checkout closes, and the paid button stays done", async () => {
    sdkAnswers(async (p) => {
      // The checkout takes focus with it and leaves nothing focused when it closes.
      const checkout = document.createElement("button");
      document.body.append(checkout);
      checkout.focus();
      checkout.remove();
      return approve(p);
    });
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    el.focus();
    const succeeded = oneEvent(el, "iamport-pay-success");
    await sendKeys({ press: "Enter" });
    await el.updateComplete;
    expect(document.activeElement).to.equal(el);
    await succeeded;
    await el.updateComplete;

    expect(document.activeElement).to.equal(el);
    expect(el.shadowRoot?.activeElement).to.equal(inner(el));
    expect(inner(el).getAttribute("aria-disabled")).to.equal("true");
    let restarted = false;
    el.addEventListener("iamport-pay-start", () => {
      restarted = true;
    });
    await sendKeys({ press: "Enter" });
    await el.pay().catch(() => {});
    expect(restarted).to.equal(false);

    el.reset();
    await el.updateComplete;
    expect(inner(el).getAttribute("aria-disabled")).to.equal("false");
    expect(el.state).to.equal("idle");
  });

  it("the virtual account message gives bank, account, holder and deadline", async () => {
    sdkAnswers(issueVbank);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );

    const issued = oneEvent(el, "iamport-pay-vbank-issued") as Promise<PayVbankIssuedEvent>;
    inner(el).click();
    const { detail } = await issued;
    await el.updateComplete;

    const due = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(detail.vbank.due!),
    );
    expect(statusText(el)).to.equal(
      `A virtual account was issued: KB국민은행 12345678901234, holder (주)상점. Please deposit by ${due}.`,
    );
  });

  it("a button without sku or items says it is not set up, stays disabled and tells the console", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const el = await mount(
        `<iamport-pay-button server="${fakeServer().url}" lang="en"></iamport-pay-button>`,
      );

      expect(inner(el).disabled).to.equal(true);
      expect(statusText(el)).to.equal("This payment button is not set up.");
      await until(() => errors.some((e) => e.includes("needs `sku` or `items`")));

      el.sku = "chair-001";
      await el.updateComplete;
      expect(inner(el).disabled).to.equal(false);
      expect(statusText(el)).to.equal("");
    } finally {
      console.error = original;
    }
  });

  it("a button without server says so too", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const el = await mount(`<iamport-pay-button sku="chair-001"></iamport-pay-button>`);

      expect(inner(el).disabled).to.equal(true);
      expect(statusText(el)).to.equal("결제 버튼이 설정되지 않았습니다.");
      await until(() => errors.some((e) => e.includes("needs `server`")));
    } finally {
      console.error = original;
    }
  });
});
