import { expect, oneEvent } from "@open-wc/testing";
import type { PayFailureEvent, PaySuccessEvent, PayVbankIssuedEvent } from "../src/events.js";
import {
  approve,
  fakeServer,
  inner,
  issueVbank,
  mount,
  pgDeclines,
  pgDeclinesNewStyle,
  sdkAnswers,
  shopperCloses,
  statusText,
  until,
} from "./helpers.js";

describe("a payment from click to verdict", () => {
  it("a card payment the server verifies fires iamport-pay-success with the server's order", async () => {
    const server = fakeServer();
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const started = oneEvent(el, "iamport-pay-start");
    const succeeded = oneEvent(el, "iamport-pay-success") as Promise<PaySuccessEvent>;
    inner(el).click();

    const start = await started;
    expect(start.detail).to.include({ amount: 64900, currency: "KRW", name: "원목 의자" });
    const { detail } = await succeeded;
    expect(detail.merchant_uid).to.equal(start.detail.merchant_uid);
    expect(detail.imp_uid).to.equal(`imp_paid_${detail.merchant_uid}`);
    expect(detail.order.status).to.equal("paid");
    expect(el.state).to.equal("success");
    expect(el.getAttribute("state")).to.equal("success");
    const complete = (await server.log()).find((r) => r.path === "payments/complete");
    expect(complete?.body).to.deep.equal({
      imp_uid: detail.imp_uid,
      merchant_uid: detail.merchant_uid,
    });
  });

  it("an issued virtual account fires iamport-pay-vbank-issued with the account to pay into", async () => {
    sdkAnswers(issueVbank);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    const issued = oneEvent(el, "iamport-pay-vbank-issued") as Promise<PayVbankIssuedEvent>;
    inner(el).click();
    const { detail } = await issued;

    expect(detail.vbank).to.include({ bank_name: "KB국민은행", number: "12345678901234" });
    expect(detail.order.status).to.equal("ready");
    expect(statusText(el)).to.contain("12345678901234");
  });

  it("a shopper who closes the window gets shopper_cancelled, not a decline", async () => {
    sdkAnswers(shopperCloses);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" lang="ko"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();
    const { detail } = await failed;

    expect(detail.code).to.equal("shopper_cancelled");
    expect(detail.message).to.equal("결제를 취소하셨습니다.");
    expect(el.state).to.equal("failure");
  });

  it("a PG decline gets pg_declined and the server is told about the failed payment", async () => {
    const server = fakeServer();
    sdkAnswers(pgDeclines);
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();
    const { detail } = await failed;

    expect(detail.code).to.equal("pg_declined");
    expect(detail.imp_uid).to.equal(`imp_failed_${detail.merchant_uid}`);
    expect((await server.log()).map((r) => r.path)).to.include("payments/complete");
  });

  it("a decline in the newer rsp style (error_code, no success) is a failure too", async () => {
    sdkAnswers(pgDeclinesNewStyle);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();

    expect((await failed).detail.code).to.equal("pg_declined");
  });

  it("the server's forgery verdict wins over the SDK's success", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("forgery").url}" sku="chair-001"></iamport-pay-button>`,
    );
    let succeeded = false;
    el.addEventListener("iamport-pay-success", () => {
      succeeded = true;
    });

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();
    const { detail } = await failed;

    expect(detail.code).to.equal("forgery");
    expect(detail.imp_uid).to.be.a("string");
    expect(succeeded).to.equal(false);
  });

  it("a cart the server refuses (4xx) gets order_rejected and never opens Iamport", async () => {
    const server = fakeServer("orders-400");
    let opened = false;
    sdkAnswers((p) => {
      opened = true;
      return approve(p);
    });
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="no-such-sku"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();

    expect((await failed).detail.code).to.equal("order_rejected");
    expect(opened).to.equal(false);
  });

  it("a server error (5xx) on /orders gets server_error", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("orders-500").url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();

    expect((await failed).detail.code).to.equal("server_error");
  });

  it("a 503 after approval is retried: the element confirms, never says try again, and succeeds once", async () => {
    const server = fakeServer("complete-503-once");
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );
    const seen: string[] = [];
    for (const type of ["iamport-pay-success", "iamport-pay-failure"]) {
      el.addEventListener(type, () => seen.push(type));
    }

    const succeeded = oneEvent(el, "iamport-pay-success") as Promise<PaySuccessEvent>;
    inner(el).click();
    await until(() => statusText(el).startsWith("Confirming your payment"));
    expect(el.state).to.equal("busy");
    const { detail } = await succeeded;

    expect(detail.order.status).to.equal("paid");
    expect(seen).to.deep.equal(["iamport-pay-success"]);
    const log = await server.log();
    expect(log.filter((r) => r.path === "payments/complete")).to.have.length(2);
    expect(log.filter((r) => r.path === "orders")).to.have.length(1);
  });

  it("a confirmation the page aborts ends in payment_unconfirmed with the payment's ids", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("complete-500").url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();
    await until(() => statusText(el).startsWith("Confirming"));
    el.abort();
    const { detail } = await failed;

    expect(detail.code).to.equal("payment_unconfirmed");
    expect(detail.message).to.contain("do not pay again");
    expect(detail.imp_uid).to.equal(`imp_paid_${detail.merchant_uid}`);
  });

  it("a dropped connection gets network_error", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("orders-drop").url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();

    expect((await failed).detail.code).to.equal("network_error");
  });

  it("a server that never answers gets network_error once `timeout` runs out", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("orders-hang").url}" sku="chair-001" timeout="300"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure") as Promise<PayFailureEvent>;
    inner(el).click();

    expect((await failed).detail.code).to.equal("network_error");
    expect(el.state).to.equal("failure");
  });

  it("a second click while busy starts no second payment", async () => {
    const server = fakeServer();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    sdkAnswers(async (p) => {
      await held;
      return approve(p);
    });
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const started = oneEvent(el, "iamport-pay-start");
    const first = el.pay();
    await started;
    await el.updateComplete;
    const button = inner(el);
    // aria-disabled, not disabled: a disabled button would drop the keyboard's focus.
    expect(button.getAttribute("aria-disabled")).to.equal("true");
    expect(button.getAttribute("aria-busy")).to.equal("true");
    button.click();
    const second = el.pay();
    release();

    expect(second).to.equal(first);
    await first;
    const orders = (await server.log()).filter((r) => r.path === "orders");
    expect(orders).to.have.length(1);
  });

  it("pay() resolves with the same result the events carry", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    const result = await el.pay();

    expect(result.type).to.equal("success");
    expect(el.state).to.equal("success");
  });
});
