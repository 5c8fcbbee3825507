import { expect, oneEvent } from "@open-wc/testing";
import { approve, fakeServer, inner, mount, page, sdkAnswers } from "./helpers.js";

const sdkScripts = (path: string) =>
  [...document.querySelectorAll("script")].filter((s) => s.src.endsWith(path));

describe("loading Iamport's SDK", () => {
  it("three buttons on a page inject the SDK once, before any click", async () => {
    const server = fakeServer();
    const host =
      await mount(`<iamport-pay-button server="${server.url}" sku="a"></iamport-pay-button>
      <iamport-pay-button server="${server.url}" sku="b"></iamport-pay-button>
      <iamport-pay-button server="${server.url}" sku="c"></iamport-pay-button>`);
    const buttons = host.parentElement?.querySelectorAll("iamport-pay-button") ?? [];
    expect(buttons).to.have.length(3);

    // Prefetch runs when idle or visible; wait until the SDK is there, then pay with each.
    while (!page.IMP) await new Promise((resolve) => setTimeout(resolve, 20));
    sdkAnswers(approve);
    for (const button of buttons) {
      const done = oneEvent(button, "iamport-pay-success");
      inner(button).click();
      await done;
    }

    expect(sdkScripts("/fake-sdk.js")).to.have.length(1);
    expect(page.fakeSdkLoads).to.equal(1);
    // /config is asked once per button at most, not once per click.
    const configs = (await server.log()).filter((r) => r.path === "config");
    expect(configs.length).to.be.at.most(3);
  });

  it("an SDK that cannot load fails the payment with sdk_load_failed, and a later click retries", async () => {
    const server = fakeServer("missing-sdk");
    const el = await mount(
      `<iamport-pay-button server="${server.url}" sku="chair-001"></iamport-pay-button>`,
    );

    const failed = oneEvent(el, "iamport-pay-failure");
    inner(el).click();
    const { detail } = await failed;
    expect(detail.code).to.equal("sdk_load_failed");
    expect(detail.merchant_uid).to.be.a("string");
    expect(sdkScripts("/missing-sdk.js")).to.have.length(0);

    const again = oneEvent(el, "iamport-pay-failure");
    inner(el).click();
    expect((await again).detail.code).to.equal("sdk_load_failed");
  });

  it("a script that loads but defines no window.IMP is an SDK load failure too", async () => {
    // Before mounting: the element may prefetch the script as soon as it is connected.
    const imp = page.IMP;
    delete page.IMP;

    try {
      const el = await mount(`<iamport-pay-button server="${fakeServer().url}" sku="chair-001"
        imp-code="imp10000001" sdk-url="/empty-sdk.js"></iamport-pay-button>`);
      const failed = oneEvent(el, "iamport-pay-failure");
      inner(el).click();
      expect((await failed).detail.code).to.equal("sdk_load_failed");
    } finally {
      page.IMP = imp;
    }
  });
});
