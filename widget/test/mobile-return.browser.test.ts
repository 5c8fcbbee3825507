import { expect, oneEvent } from "@open-wc/testing";
import type { PayFailureEvent, PaySuccessEvent, PayVbankIssuedEvent } from "../src/events.js";
import type { IamportPayButton } from "../src/iamport-pay-button.js";
import { fakeServer, mount, startedHere, statusText, until } from "./helpers.js";

let returns = 0;
/** Puts this page where the server's 303 would send the shopper back. */
function landBack(params: Record<string, string>, startedBy: string | null = "@0"): string {
  const url = new URL(location.href);
  returns += 1;
  const merchant_uid = `m_return_${returns}`;
  // The button that started the payment recorded it before the redirect.
  if (startedBy) startedHere(merchant_uid, startedBy);
  url.searchParams.set("shop_tab", "cart");
  url.searchParams.set("merchant_uid", merchant_uid);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  history.replaceState(null, "", url);
  return merchant_uid;
}

const ourParams = [
  "merchant_uid",
  "imp_uid",
  "imp_success",
  "error_code",
  "error_msg",
  "iamport_pay",
];

describe("coming back from a mobile redirect", () => {
  afterEach(() => {
    const url = new URL(location.href);
    for (const name of [...ourParams, "shop_tab"]) url.searchParams.delete(name);
    history.replaceState(null, "", url);
  });

  it("a verified paid order fires iamport-pay-success and cleans the address bar", async () => {
    const server = fakeServer("return-paid");
    const uid = landBack({ imp_uid: "imp_1", imp_success: "true", iamport_pay: "success" });
    const succeeded = new Promise<PaySuccessEvent>((resolve) =>
      document.addEventListener("iamport-pay-success", resolve, { once: true }),
    );

    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );
    const { detail } = await succeeded;

    expect(detail.merchant_uid).to.equal(uid);
    expect(detail.order.status).to.equal("paid");
    expect((await server.log()).map((r) => `${r.method} ${r.path}`)).to.include(
      `GET orders/${uid}`,
    );
    await el.updateComplete;
    expect(el.state).to.equal("success");
    const url = new URL(location.href);
    for (const name of ourParams) expect(url.searchParams.has(name), name).to.equal(false);
    // The shop's own parameters stay.
    expect(url.searchParams.get("shop_tab")).to.equal("cart");
  });

  it("an issued virtual account fires iamport-pay-vbank-issued", async () => {
    const server = fakeServer("return-ready");
    landBack({ iamport_pay: "vbankIssued" });
    const issued = new Promise<PayVbankIssuedEvent>((resolve) =>
      document.addEventListener("iamport-pay-vbank-issued", resolve, { once: true }),
    );

    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    expect((await issued).detail.vbank.number).to.equal("12345678901234");
    await el.updateComplete;
    expect(statusText(el)).to.contain("12345678901234");
  });

  it("a failed payment fires iamport-pay-failure with the PG's refusal", async () => {
    const server = fakeServer("return-failed");
    landBack({ imp_uid: "imp_2", imp_success: "false", iamport_pay: "failed" });
    const failed = new Promise<PayFailureEvent>((resolve) =>
      document.addEventListener("iamport-pay-failure", resolve, { once: true }),
    );

    await mount(`<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`);

    expect((await failed).detail.code).to.equal("pg_declined");
    expect(new URL(location.href).searchParams.has("merchant_uid")).to.equal(false);
  });

  it("a shopper who closed the window on mobile gets shopper_cancelled", async () => {
    const server = fakeServer("return-pending");
    landBack({
      imp_success: "false",
      error_code: "F400",
      error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
      iamport_pay: "failed",
    });
    const failed = new Promise<PayFailureEvent>((resolve) =>
      document.addEventListener("iamport-pay-failure", resolve, { once: true }),
    );

    await mount(`<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`);

    expect((await failed).detail.code).to.equal("shopper_cancelled");
  });

  it("a forged payment found on return fires forgery", async () => {
    const server = fakeServer("return-forged");
    landBack({ iamport_pay: "forgery" });
    const failed = new Promise<PayFailureEvent>((resolve) =>
      document.addEventListener("iamport-pay-failure", resolve, { once: true }),
    );

    await mount(`<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`);

    expect((await failed).detail.code).to.equal("forgery");
  });

  it("of three buttons on the page, only the one that started the payment reports it, in its language", async () => {
    const server = fakeServer("return-paid");
    landBack({ iamport_pay: "success" }, "#second");
    const reports: EventTarget[] = [];
    const counter = (event: Event) => reports.push(event.target as EventTarget);
    document.addEventListener("iamport-pay-success", counter);
    const reported = oneEvent(document, "iamport-pay-success");

    const first =
      await mount(`<iamport-pay-button server="${server.url}" sku="a" lang="ko"></iamport-pay-button>
      <iamport-pay-button id="second" server="${server.url}" sku="b" lang="en"></iamport-pay-button>
      <iamport-pay-button server="${server.url}" sku="c" lang="ko"></iamport-pay-button>`);
    await reported;
    const second = document.getElementById("second") as IamportPayButton;
    await second.updateComplete;
    document.removeEventListener("iamport-pay-success", counter);

    expect(reports).to.deep.equal([second]);
    expect(statusText(second)).to.equal("Payment complete.");
    expect(first.state).to.equal("idle");
    expect((await server.log()).filter((r) => r.path.startsWith("orders/"))).to.have.length(1);
  });

  it("a return for a payment this browser did not start fires nothing and is cleaned away", async () => {
    const server = fakeServer("return-paid");
    landBack({ imp_uid: "x", iamport_pay: "success" }, null);
    let fired = 0;
    const count = () => {
      fired += 1;
    };
    const types = ["iamport-pay-success", "iamport-pay-failure", "iamport-pay-vbank-issued"];
    for (const type of types) document.addEventListener(type, count);

    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="a"></iamport-pay-button>`,
    );
    await until(() => !new URL(location.href).searchParams.has("merchant_uid"));
    await el.updateComplete;
    for (const type of types) document.removeEventListener(type, count);

    expect(fired).to.equal(0);
    expect(el.state).to.equal("idle");
    expect((await server.log()).filter((r) => r.path.startsWith("orders/"))).to.have.length(0);
  });

  it("after a return the button scrolls into view and moves focus to its status", async () => {
    const server = fakeServer("return-paid");
    landBack({ iamport_pay: "success" });
    const succeeded = oneEvent(document, "iamport-pay-success");

    const el = await mount(`<div style="height: 3000px"></div>
      <iamport-pay-button server="${server.url}" sku="a"></iamport-pay-button>`);
    await succeeded;
    await until(() => el.shadowRoot?.activeElement?.getAttribute("part") === "status");

    const box = el.getBoundingClientRect();
    expect(box.top).to.be.at.least(0);
    expect(box.bottom).to.be.at.most(innerHeight);
  });

  it("a return the server could not verify yet is confirmed, not reported as failed", async () => {
    const server = fakeServer("return-pending");
    landBack({ imp_uid: "imp_x", iamport_pay: "error" });
    const succeeded = new Promise<PaySuccessEvent>((resolve) =>
      document.addEventListener("iamport-pay-success", resolve, { once: true }),
    );

    await mount(`<iamport-pay-button server="${server.url}" sku="a"></iamport-pay-button>`);
    await succeeded;

    // The stored order was pending: the element asked the server to verify imp_x itself.
    const complete = (await server.log()).find((r) => r.path === "payments/complete");
    expect(complete?.body).to.include({ imp_uid: "imp_x" });
  });

  it("a merchant_uid alone (the shop's own parameter) is not taken for a return", async () => {
    const server = fakeServer("return-paid");
    const url = new URL(location.href);
    url.searchParams.set("merchant_uid", "shop-own");
    history.replaceState(null, "", url);

    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="a"></iamport-pay-button>`,
    );
    await el.updateComplete;

    expect(el.state).to.equal("idle");
    expect((await server.log()).filter((r) => r.path.startsWith("orders/"))).to.have.length(0);
    expect(new URL(location.href).searchParams.get("merchant_uid")).to.equal("shop-own");
  });
});
