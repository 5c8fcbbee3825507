import { expect, oneEvent } from "@open-wc/testing";
import type { IamportPayButton } from "../src/iamport-pay-button.js";
import { approve, fakeServer, inner, lastRequestPay, mount, page, sdkAnswers } from "./helpers.js";

async function payAndLog(el: IamportPayButton, server: ReturnType<typeof fakeServer>) {
  sdkAnswers(approve);
  const done = oneEvent(el, "iamport-pay-success");
  inner(el).click();
  await done;
  const log = await server.log();
  return { log, order: log.find((r) => r.path === "orders")?.body, param: lastRequestPay() };
}

describe("attributes and properties", () => {
  it("sku, quantity, pg, pay-method and the buyer attributes reach the order and request_pay", async () => {
    const server = fakeServer();
    const el = await mount(`<iamport-pay-button server="${server.url}" sku="chair-001" quantity="2"
      pg="html5_inicis" pay-method="card" buyer-name="홍길동" buyer-email="hong@example.com"
      buyer-tel="010-1234-5678" buyer-addr="서울특별시 강남구" buyer-postcode="06018"></iamport-pay-button>`);

    const { order, param } = await payAndLog(el, server);

    expect(order).to.deep.equal({
      items: [{ sku: "chair-001", quantity: 2 }],
      buyer: {
        name: "홍길동",
        email: "hong@example.com",
        tel: "010-1234-5678",
        addr: "서울특별시 강남구",
        postcode: "06018",
      },
      pg: "html5_inicis",
      pay_method: "card",
    });
    expect(param).to.include({
      pg: "html5_inicis",
      pay_method: "card",
      amount: 64900,
      currency: "KRW",
      name: "원목 의자",
      buyer_name: "홍길동",
      buyer_email: "hong@example.com",
      buyer_tel: "010-1234-5678",
      buyer_addr: "서울특별시 강남구",
      buyer_postcode: "06018",
    });
  });

  it("properties mirror the attributes", async () => {
    const el = await mount(`<iamport-pay-button server="/x" sku="a" quantity="3" pay-method="vbank"
      buyer-name="n" imp-code="imp12345678" sdk-url="/s.js" redirect="never" disabled></iamport-pay-button>`);

    expect(el).to.include({
      server: "/x",
      sku: "a",
      quantity: 3,
      payMethod: "vbank",
      buyerName: "n",
      impCode: "imp12345678",
      sdkUrl: "/s.js",
      redirect: "never",
      disabled: true,
    });
  });

  it("the items property sends a whole cart and wins over sku", async () => {
    const server = fakeServer();
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="ignored"></iamport-pay-button>`,
    );
    el.items = [
      { sku: "chair-001", quantity: 1 },
      { sku: "desk-002", quantity: 2 },
    ];

    const { order } = await payAndLog(el, server);

    expect(order?.items).to.deep.equal([
      { sku: "chair-001", quantity: 1 },
      { sku: "desk-002", quantity: 2 },
    ]);
    expect(order).not.to.have.property("buyer");
  });

  it("/config gives the merchant code, the SDK and the default pg", async () => {
    const server = fakeServer("config-pg");
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const { log, param } = await payAndLog(el, server);

    expect(log.some((r) => r.path === "config")).to.equal(true);
    expect(page.impCalls).to.deep.include({ init: "imp10000001" });
    expect(param?.pg).to.equal("kcp.A52CY");
  });

  it("imp-code and sdk-url override /config, which is then not asked", async () => {
    const server = fakeServer("config-500");
    const el = await mount(`<iamport-pay-button server="${server.url}" sku="chair-001"
      imp-code="imp99999999" sdk-url="/fake-sdk.js"></iamport-pay-button>`);

    const { log } = await payAndLog(el, server);

    expect(log.map((r) => r.path)).not.to.include("config");
    expect(page.impCalls).to.deep.include({ init: "imp99999999" });
  });

  it("an unreachable /config fails the payment with server_error", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer("config-500").url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure");
    inner(el).click();

    expect((await failed).detail.code).to.equal("server_error");
  });

  it('redirect="always" hands Iamport an m_redirect_url to the server\'s mobile return', async () => {
    const server = fakeServer();
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001" redirect="always"></iamport-pay-button>`,
    );

    const { param } = await payAndLog(el, server);

    const back = new URL(param?.m_redirect_url ?? "");
    expect(back.origin + back.pathname).to.equal(
      new URL(`${server.url}/payments/complete/mobile`, location.href).href,
    );
    expect(back.searchParams.get("return")).to.equal(location.href);
  });

  it('redirect="never", and "auto" on a desktop browser, send no m_redirect_url', async () => {
    for (const redirect of ["never", "auto"]) {
      const server = fakeServer();
      const el = await mount(
        `<iamport-pay-button server="${server.url}" sku="chair-001" redirect="${redirect}"></iamport-pay-button>`,
      );
      const { param } = await payAndLog(el, server);
      expect(param, redirect).not.to.have.property("m_redirect_url");
    }
  });

  it('redirect="auto" on a mobile browser hands Iamport an m_redirect_url', async () => {
    Object.defineProperty(navigator, "userAgentData", {
      value: { mobile: true },
      configurable: true,
    });
    try {
      const server = fakeServer();
      const el = await mount(
        `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
      );
      const { param } = await payAndLog(el, server);
      expect(param?.m_redirect_url).to.be.a("string");
    } finally {
      delete (navigator as { userAgentData?: unknown }).userAgentData;
    }
  });

  it("disabled disables the inner button, and pay() refuses", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" disabled></iamport-pay-button>`,
    );

    expect(inner(el).disabled).to.equal(true);
    let refused = false;
    await el.pay().catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
    expect(el.state).to.equal("idle");
  });

  it("the state attribute starts idle and is reflected for page styles", async () => {
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    expect(el.getAttribute("state")).to.equal("idle");
  });

  it("the slot replaces the default label", async () => {
    const el = await mount(
      `<iamport-pay-button server="/x" sku="a">64,900원 결제</iamport-pay-button>`,
    );

    const slot = inner(el).querySelector("slot");
    expect(
      slot
        ?.assignedNodes()
        .map((n) => n.textContent)
        .join(""),
    ).to.equal("64,900원 결제");
  });

  it("the parts button and status are exposed for styling", async () => {
    const el = await mount(`<iamport-pay-button server="/x" sku="a"></iamport-pay-button>`);

    expect(el.shadowRoot?.querySelector('[part="button"]')).to.equal(inner(el));
    expect(el.shadowRoot?.querySelector('[part="status"]')).to.exist;
  });

  it("CSS custom properties theme the button", async () => {
    const el = await mount(`<iamport-pay-button server="/x" sku="a"
      style="--iamport-pay-color: rgb(1, 2, 3); --iamport-pay-radius: 3px; --iamport-pay-font: monospace"></iamport-pay-button>`);

    const style = getComputedStyle(inner(el));
    expect(style.backgroundColor).to.equal("rgb(1, 2, 3)");
    expect(style.borderTopLeftRadius).to.equal("3px");
    expect(style.fontFamily).to.equal("monospace");
  });
});
