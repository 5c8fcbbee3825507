import { expect } from "@open-wc/testing";
import { button, checkoutDocument, control, loadSdk, type Rsp, waitFor } from "./helpers.js";

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[];
}
declare global {
  interface Window {
    axe?: { run(context: Document, options?: object): Promise<AxeResults> };
  }
}

let counter = 0;
function order(extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    pg: "html5_inicis",
    pay_method: "card",
    merchant_uid: `a11y-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    name: "아주 긴 상품 이름이 들어가도 320 픽셀 화면에서 옆으로 넘치지 않는 의자 세트",
    amount: 64900,
    ...extra,
  };
}

function checkoutUrl(param: Record<string, unknown>, nonce = "n") {
  const query = new URLSearchParams({
    imp_code: "imp12345678",
    mode: "iframe",
    nonce,
    param: JSON.stringify(param),
  });
  return `/sandbox/checkout?${query}`;
}

/** The checkout page in a frame of the given width, loaded and scripted. */
async function framedCheckout(width: number, param = order()) {
  const frame = document.createElement("iframe");
  frame.style.cssText = `width:${width}px;height:640px;border:0`;
  frame.src = checkoutUrl(param);
  document.body.append(frame);
  const doc = await waitFor(() => {
    const d = frame.contentDocument;
    return d && d.readyState !== "loading" && button(d, "Close") ? d : null;
  }, "the checkout page");
  return { frame, doc };
}

describe("the checkout page's accessibility", () => {
  beforeEach(async () => {
    await control("POST", "/reset");
  });

  it("is a modal dialog named by its heading", async () => {
    const { frame, doc } = await framedCheckout(420);
    try {
      const dialog = doc.querySelector("[role=dialog]")!;
      expect(dialog.getAttribute("aria-modal")).to.equal("true");
      const title = doc.getElementById(dialog.getAttribute("aria-labelledby")!);
      expect(title?.textContent).to.contain("Checkout");
    } finally {
      frame.remove();
    }
  });

  for (const width of [320, 420]) {
    it(`has no axe-core violations at ${width} px`, async () => {
      const { frame, doc } = await framedCheckout(width, order({ pay_method: "vbank" }));
      try {
        const script = doc.createElement("script");
        // The page's CSP runs only scripts with its nonce: axe-core gets it too.
        script.nonce = (
          await waitFor(() => doc.querySelector("script"), "the page's script")
        ).nonce;
        script.src = "/axe.min.js";
        const loaded = new Promise((resolve, reject) => {
          script.onload = resolve;
          script.onerror = reject;
        });
        doc.head.append(script);
        await loaded;
        const results = await frame.contentWindow!.axe!.run(doc, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        expect(
          results.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`),
        ).to.deep.equal([]);
      } finally {
        frame.remove();
      }
    });
  }

  it("fits a 320 px screen without sideways scrolling", async () => {
    const { frame, doc } = await framedCheckout(320);
    try {
      const root = doc.documentElement;
      expect(root.scrollWidth).to.be.at.most(root.clientWidth);
      for (const b of doc.querySelectorAll("button")) {
        expect(b.getBoundingClientRect().right).to.be.at.most(root.clientWidth);
      }
    } finally {
      frame.remove();
    }
  });

  it("takes focus when it opens, closes on Escape, and gives focus back to the page", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const opener = document.createElement("button");
    opener.textContent = "Pay";
    document.body.append(opener);
    try {
      opener.focus();
      const result = IMP.request_pay(order())!;
      const doc = await checkoutDocument();
      const frame = document.querySelector<HTMLIFrameElement>(
        "iframe[title='Iamport sandbox checkout']",
      )!;
      await waitFor(
        () => document.activeElement === frame && doc.activeElement?.tagName === "BUTTON",
        "focus in the checkout",
      );
      expect(doc.activeElement?.textContent).to.equal("Approve");
      doc.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
      const rsp: Rsp = await result;
      expect(rsp).to.include({ success: false, error_code: "F400" });
      expect(document.querySelector("[data-iamport-sandbox]")).to.equal(null);
      expect(document.activeElement).to.equal(opener);
    } finally {
      opener.remove();
    }
  });

  it("closes on Escape pressed on the shop's page while it is open", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const result = IMP.request_pay(order())!;
    await checkoutDocument();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    const rsp = await result;
    expect(rsp.error_code).to.equal("F400");
  });

  it("says so when the server cannot be reached, and can still be closed", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const param = order();
    const result = IMP.request_pay(param)!;
    const doc = await checkoutDocument();
    const frameWindow = doc.defaultView as Window & typeof globalThis;
    // The network is gone: every request from the page fails as fetch does offline.
    frameWindow.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    button(doc, "Approve")!.click();
    const alert = await waitFor(
      () =>
        doc.querySelector("[role=alert]")?.textContent ? doc.querySelector("[role=alert]") : null,
      "the unreachable message",
    );
    expect(alert.textContent).to.contain("cannot be reached");
    expect(button(doc, "Close")!.disabled).to.equal(false);
    expect(doc.activeElement).to.equal(button(doc, "Close"));
    button(doc, "Close")!.click();
    const rsp = await result;
    expect(rsp).to.include({
      success: false,
      error_code: "F400",
      imp_uid: null,
      merchant_uid: param.merchant_uid,
    });
    expect(document.querySelector("[data-iamport-sandbox]")).to.equal(null);
  });
});
