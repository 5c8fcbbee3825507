import { expect, oneEvent } from "@open-wc/testing";
import { sendKeys } from "@web/test-runner-commands";
import {
  approve,
  fakeServer,
  inner,
  mount,
  sdkAnswers,
  shopperCloses,
  statusText,
} from "./helpers.js";

describe("keyboard, live region and languages", () => {
  afterEach(() => {
    document.documentElement.removeAttribute("lang");
  });

  it("Enter on the focused button starts the payment", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    el.focus();
    expect(el.shadowRoot?.activeElement).to.equal(inner(el));
    const done = oneEvent(el, "iamport-pay-success");
    await sendKeys({ press: "Enter" });

    await done;
  });

  it("Space on the focused button starts the payment", async () => {
    sdkAnswers(approve);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );

    el.focus();
    const done = oneEvent(el, "iamport-pay-success");
    // The key's value, not Playwright's "Space": puppeteer's Firefox (BiDi) knows only " ".
    await sendKeys({ press: " " });

    await done;
  });

  it("the polite live region announces progress, then the result", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    sdkAnswers(async (p) => {
      await held;
      return approve(p);
    });
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" lang="ko"></iamport-pay-button>`,
    );
    const region = el.shadowRoot?.querySelector('[part="status"]');
    expect(region?.getAttribute("role")).to.equal("status");
    expect(region?.getAttribute("aria-live")).to.equal("polite");
    expect(statusText(el)).to.equal("");

    const started = oneEvent(el, "iamport-pay-start");
    const done = oneEvent(el, "iamport-pay-success");
    inner(el).click();
    await started;
    await el.updateComplete;
    expect(statusText(el)).to.equal("결제 중…");
    release();
    await done;
    await el.updateComplete;

    expect(statusText(el)).to.equal("결제가 완료되었습니다.");
  });

  it("Korean is the default label and message language", async () => {
    sdkAnswers(shopperCloses);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001"></iamport-pay-button>`,
    );
    expect(inner(el).textContent?.trim()).to.equal("결제하기");

    const failed = oneEvent(el, "iamport-pay-failure");
    inner(el).click();
    expect((await failed).detail.message).to.equal("결제를 취소하셨습니다.");
    expect(lastLanguage()).to.equal("ko");
  });

  it('lang="en" speaks English and asks Iamport for English', async () => {
    sdkAnswers(shopperCloses);
    const el = await mount(
      `<iamport-pay-button server="${fakeServer().url}" sku="chair-001" lang="en"></iamport-pay-button>`,
    );
    expect(inner(el).textContent?.trim()).to.equal("Pay");

    const failed = oneEvent(el, "iamport-pay-failure");
    inner(el).click();
    const { detail } = await failed;
    await el.updateComplete;

    expect(detail.message).to.equal("You cancelled the payment.");
    expect(statusText(el)).to.equal("You cancelled the payment.");
    expect(lastLanguage()).to.equal("en");
  });

  it("without lang the document's language is used", async () => {
    document.documentElement.lang = "en-US";
    const el = await mount(`<iamport-pay-button server="/x" sku="a"></iamport-pay-button>`);

    expect(inner(el).textContent?.trim()).to.equal("Pay");
  });
});

function lastLanguage(): string | undefined {
  const calls = (window as { impCalls?: { param?: { language?: string } }[] }).impCalls ?? [];
  return calls.filter((c) => c.param).at(-1)?.param?.language;
}
