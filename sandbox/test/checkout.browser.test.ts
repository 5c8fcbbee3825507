import { expect } from "@open-wc/testing";
import {
  button,
  checkoutDocument,
  control,
  labelled,
  loadSdk,
  type Rsp,
  restToken,
  waitFor,
} from "./helpers.js";

interface WebhookAttempt {
  url: string;
  body: Record<string, string>;
  attempt: number;
}

let counter = 0;
function order(extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    pg: "html5_inicis",
    pay_method: "card",
    // Unique across the engines, which run at once against one sandbox.
    merchant_uid: `browser-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    name: "의자",
    amount: 64900,
    buyer_name: "홍길동",
    ...extra,
  };
}

async function webhooksFor(merchantUid: string): Promise<WebhookAttempt[]> {
  // Delivery is asynchronous: wait until it has been recorded.
  return waitFor(async () => {
    const all = (await control("GET", "/webhooks")) as WebhookAttempt[];
    const mine = all.filter((w) => w.body.merchant_uid === merchantUid);
    return mine.length > 0 ? mine : null;
  }, "a webhook");
}

describe("the stand-in iamport.payment.js", () => {
  beforeEach(async () => {
    await control("POST", "/reset");
  });

  it("calls back with an error, without throwing, when init was not called", async () => {
    const IMP = await loadSdk();
    IMP.init("");
    const rsp = await new Promise<Rsp>((resolve) => IMP.request_pay(order(), resolve));
    expect(rsp.success).to.equal(false);
    expect(rsp.error_msg).to.contain("IMP.init");
    expect(document.querySelector("iframe")).to.equal(null);
  });

  it("calls back with an error when amount or merchant_uid is missing", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const noAmount = await new Promise<Rsp>((resolve) =>
      IMP.request_pay({ ...order(), amount: undefined }, resolve),
    );
    expect(noAmount.success).to.equal(false);
    expect(noAmount.error_msg).to.contain("amount");
    const noUid = await new Promise<Rsp>((resolve) =>
      IMP.request_pay({ ...order(), merchant_uid: "" }, resolve),
    );
    expect(noUid.success).to.equal(false);
    expect(noUid.error_msg).to.contain("merchant_uid");
  });

  it("pays by card: Approve gives a paid rsp, a stored payment and a paid webhook", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const param = order();
    const result = new Promise<Rsp>((resolve) => IMP.request_pay(param, resolve));
    const doc = await checkoutDocument();
    expect(doc.body.textContent).to.contain("의자");
    button(doc, "Approve")!.click();
    const rsp = await result;
    expect(rsp).to.include({
      success: true,
      merchant_uid: param.merchant_uid,
      paid_amount: 64900,
      status: "paid",
    });
    expect(rsp.imp_uid).to.match(/^imp_\d{12}$/);
    expect(document.querySelector("iframe")).to.equal(null);

    const token = await restToken();
    const read = await fetch(`/sandbox/payments/${rsp.imp_uid}?include_sandbox=true`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await read.json()) as { response: { status: string } }).response.status).to.equal(
      "paid",
    );

    const [webhook] = await webhooksFor(param.merchant_uid);
    expect(webhook!.body).to.deep.equal({
      imp_uid: rsp.imp_uid,
      merchant_uid: param.merchant_uid,
      status: "paid",
    });
  });

  it("pays whatever the Amount field says when changed before approving", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const result = IMP.request_pay(order())!;
    const doc = await checkoutDocument();
    const amount = labelled(doc, "Amount")!;
    amount.value = "1000";
    amount.dispatchEvent(new Event("input", { bubbles: true }));
    button(doc, "Approve")!.click();
    const rsp = await result;
    expect(rsp.success).to.equal(true);
    expect(rsp.paid_amount).to.equal(1000);
  });

  it("issues a virtual account: a ready rsp with vbank fields and a ready webhook", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const param = order({ pay_method: "vbank" });
    const result = new Promise<Rsp>((resolve) => IMP.request_pay(param, resolve));
    const doc = await checkoutDocument();
    button(doc, "Issue virtual account")!.click();
    const rsp = await result;
    expect(rsp).to.include({ success: true, status: "ready" });
    expect(rsp.vbank_num).to.be.a("string");
    const [webhook] = await webhooksFor(param.merchant_uid);
    expect(webhook!.body.status).to.equal("ready");
  });

  it("has no virtual-account button for a card payment", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const result = IMP.request_pay(order())!;
    const doc = await checkoutDocument();
    expect(button(doc, "Issue virtual account")).to.equal(null);
    button(doc, "Close")!.click();
    await result;
  });

  it("reports Decline as a PG failure with imp_uid, and sends no webhook", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const param = order();
    const result = IMP.request_pay(param)!;
    button(await checkoutDocument(), "Decline")!.click();
    const rsp = await result;
    expect(rsp).to.include({ success: false, error_code: "F500" });
    expect(rsp.imp_uid).to.be.a("string");
    const webhooks = (await control("GET", "/webhooks")) as WebhookAttempt[];
    expect(webhooks.filter((w) => w.body.merchant_uid === param.merchant_uid)).to.have.length(0);
  });

  it("reports Close as the shopper's cancel, with the failed payment's imp_uid", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const result = IMP.request_pay(order())!;
    button(await checkoutDocument(), "Close")!.click();
    const rsp = await result;
    expect(rsp).to.include({ success: false, error_code: "F400" });
    expect(rsp.imp_uid).to.match(/^imp_\d{12}$/);
    expect(rsp.error_msg).to.contain("사용자가 결제를 취소");
  });

  it("fails approval when the amount differs from the prepared one", async () => {
    const IMP = await loadSdk();
    IMP.init("imp12345678");
    const param = order();
    const token = await restToken();
    await fetch("/sandbox/payments/prepare", {
      method: "POST",
      headers: { "content-type": "application/json", Authorization: token },
      body: JSON.stringify({ merchant_uid: param.merchant_uid, amount: 64900 }),
    });
    const result = IMP.request_pay(param)!;
    const doc = await checkoutDocument();
    labelled(doc, "Amount")!.value = "100";
    button(doc, "Approve")!.click();
    const rsp = await result;
    expect(rsp).to.include({ success: false, status: "failed" });
  });

  it("follows m_redirect_url: the page navigates to checkout, then back with the result", async () => {
    const param = order({ m_redirect_url: `${location.origin}/shop/return?from=test` });
    const frame = document.createElement("iframe");
    frame.srcdoc = `<script src="/sandbox/iamport.payment.js"></script>
      <script>IMP.init("imp12345678"); IMP.request_pay(${JSON.stringify(param)}, function () { document.title = "callback ran"; });</script>`;
    document.body.append(frame);
    try {
      const doc = await waitFor(() => {
        const d = frame.contentDocument;
        return d?.location.pathname.endsWith("/checkout") &&
          d.readyState !== "loading" &&
          button(d, "Approve")
          ? d
          : null;
      }, "the checkout page in the frame");
      button(doc, "Approve")!.click();
      const back = await waitFor(() => {
        const location = frame.contentWindow?.location;
        return location?.pathname === "/shop/return" ? new URL(location.href) : null;
      }, "the redirect back");
      const query = Object.fromEntries(back.searchParams);
      expect(query).to.include({
        from: "test",
        merchant_uid: param.merchant_uid,
        imp_success: "true",
      });
      expect(query.imp_uid).to.match(/^imp_\d{12}$/);
      const [webhook] = await webhooksFor(param.merchant_uid);
      expect(webhook!.body).to.deep.equal({
        imp_uid: query.imp_uid,
        merchant_uid: param.merchant_uid,
        status: "paid",
      });
    } finally {
      frame.remove();
    }
  });
});
