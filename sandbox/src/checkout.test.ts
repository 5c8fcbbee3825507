import { Payment, PaymentEnvelope, type RequestPayResponse } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startReceiver, startSandbox } from "./test-support.js";

describe("the checkout page and its outcomes", () => {
  let s: RunningSandbox;
  let token: string;
  const param = {
    pg: "html5_inicis",
    pay_method: "card",
    merchant_uid: "m1",
    name: "의자",
    amount: 64900,
  };

  beforeEach(async () => {
    s = await startSandbox();
    token = await s.token();
  });
  afterEach(() => s.close());

  async function complete(body: Record<string, unknown>) {
    const answer = await s.call("POST", "/checkout/complete", {
      body: { param, mode: "iframe", action: "approve", amount: param.amount, ...body },
    });
    return answer as unknown as {
      status: number;
      body: { rsp: RequestPayResponse; redirect: string | null };
    };
  }
  async function read(impUid: string) {
    return PaymentEnvelope.parse(
      (await s.call("GET", `/payments/${impUid}?include_sandbox=true`, { token })).body,
    ).response!;
  }

  it("serves the stand-in SDK as JavaScript", async () => {
    const response = await fetch(`${s.url}/iamport.payment.js`);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    expect(await response.text()).toContain("request_pay");
  });

  it("shows the merchant, product and amount with the four controls", async () => {
    const query = new URLSearchParams({
      imp_code: "imp12345678",
      param: JSON.stringify({ ...param, pay_method: "vbank" }),
    });
    const html = await (await fetch(`${s.url}/checkout?${query}`)).text();
    for (const text of [
      "imp12345678",
      "의자",
      "64,900",
      ">Approve<",
      ">Decline<",
      ">Close<",
      ">Issue virtual account<",
      "Amount",
    ]) {
      expect(html).toContain(text);
    }
  });

  it("offers no virtual account for a card payment and escapes what it shows", async () => {
    const query = new URLSearchParams({
      imp_code: "imp12345678",
      param: JSON.stringify({ ...param, name: "<b>x</b>" }),
    });
    const html = await (await fetch(`${s.url}/checkout?${query}`)).text();
    expect(html).not.toContain("Issue virtual account");
    expect(html).not.toContain("<b>x</b>");
  });

  it("runs only its own style and script under a fresh nonce per page", async () => {
    const query = new URLSearchParams({ imp_code: "imp12345678", param: JSON.stringify(param) });
    const pages = await Promise.all([1, 2].map(() => fetch(`${s.url}/checkout?${query}`)));
    const nonces = await Promise.all(
      pages.map(async (page) => {
        const policy = page.headers.get("content-security-policy") ?? "";
        const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
        expect(policy).toContain("default-src 'none'");
        expect(nonce).toBeTruthy();
        const html = await page.text();
        expect(html).toContain(`<script nonce="${nonce}">`);
        expect(html).toContain(`<style nonce="${nonce}">`);
        expect(html.match(/<script/g)).toHaveLength(1);
        return nonce;
      }),
    );
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("refuses a page for a bad request or an unknown merchant code", async () => {
    const bad = new URLSearchParams({
      imp_code: "imp12345678",
      param: JSON.stringify({ merchant_uid: "m" }),
    });
    expect((await fetch(`${s.url}/checkout?${bad}`)).status).toBe(400);
    const stranger = new URLSearchParams({ imp_code: "imp00000000", param: JSON.stringify(param) });
    expect((await fetch(`${s.url}/checkout?${stranger}`)).status).toBe(400);
  });

  it("approves: a paid payment and a successful rsp", async () => {
    const { body } = await complete({});
    expect(body.rsp).toMatchObject({
      success: true,
      merchant_uid: "m1",
      paid_amount: 64900,
      status: "paid",
    });
    expect(body.redirect).toBeNull();
    expect(await read(body.rsp.imp_uid!)).toMatchObject({
      status: "paid",
      amount: 64900,
      channel: "pc",
    });
  });

  it("pays a changed amount, as a tampered page would", async () => {
    const { body } = await complete({ amount: 100 });
    expect(body.rsp.paid_amount).toBe(100);
    expect((await read(body.rsp.imp_uid!)).amount).toBe(100);
  });

  it("fails approval when the amount differs from the prepared one", async () => {
    await s.call("POST", "/payments/prepare", {
      body: { merchant_uid: "m1", amount: 64900 },
      token,
    });
    const { body } = await complete({ amount: 100 });
    expect(body.rsp).toMatchObject({ success: false, error_code: "F500" });
    expect((await read(body.rsp.imp_uid!)).status).toBe("failed");
    const honest = await complete({});
    expect(honest.body.rsp.success).toBe(true);
  });

  it("declines: a failed payment and an rsp with imp_uid and error", async () => {
    const { body } = await complete({ action: "decline" });
    expect(body.rsp).toMatchObject({ success: false, error_code: "F500", merchant_uid: "m1" });
    expect((await read(body.rsp.imp_uid!)).status).toBe("failed");
  });

  it("closes: the shopper's cancel leaves a failed payment with an imp_uid and no webhook", async () => {
    const receiver = await startReceiver();
    try {
      const { body } = await complete({
        action: "close",
        param: { ...param, notice_url: receiver.url },
      });
      expect(body.rsp).toMatchObject({ success: false, error_code: "F400", merchant_uid: "m1" });
      expect(body.rsp.error_msg).toContain("사용자가 결제를 취소");
      expect(body.rsp.imp_uid).toMatch(/^imp_\d{12}$/);
      const payment = await read(body.rsp.imp_uid!);
      expect(payment).toMatchObject({ status: "failed", merchant_uid: "m1", amount: 64900 });
      expect(payment.fail_reason).toContain("사용자가 결제를 취소");
      await s.sandbox.settled();
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("puts the closed payment's imp_uid and the error on the redirect", async () => {
    const back = "https://shop.example/return";
    const { body } = await complete({
      action: "close",
      param: { ...param, m_redirect_url: back },
      mode: "redirect",
    });
    const query = Object.fromEntries(new URL(body.redirect!).searchParams);
    expect(query).toMatchObject({
      imp_uid: body.rsp.imp_uid,
      merchant_uid: "m1",
      imp_success: "false",
      error_code: "F400",
    });
    expect(query.error_msg).toContain("사용자가 결제를 취소");
  });

  it.each(["tosspayments", "smartro_v2", "nice_v2", "paypal_v2", "ksnet", "welcome"])(
    "answers %s in the newer style: no success field, no success flag on the redirect",
    async (pg) => {
      const ok = await complete({ param: { ...param, pg } });
      expect(Object.keys(ok.body.rsp).sort()).toEqual([
        "error_code",
        "error_msg",
        "imp_uid",
        "merchant_uid",
      ]);
      expect(ok.body.rsp).toMatchObject({ error_code: null, merchant_uid: "m1" });
      expect((await read(ok.body.rsp.imp_uid!)).status).toBe("paid");

      const back = "https://shop.example/return";
      const declined = await complete({
        param: { ...param, pg, merchant_uid: "m9", m_redirect_url: back },
        mode: "redirect",
        action: "decline",
      });
      expect(declined.body.rsp).not.toHaveProperty("success");
      expect(declined.body.rsp.error_code).toBe("F500");
      const query = Object.fromEntries(new URL(declined.body.redirect!).searchParams);
      expect(Object.keys(query).sort()).toEqual([
        "error_code",
        "error_msg",
        "imp_uid",
        "merchant_uid",
      ]);
    },
  );

  it("sends only merchant_uid on a success redirect when told to", async () => {
    await s.call("PUT", "/control/settings", { body: { redirect_merchant_uid_only: true } });
    const back = "https://shop.example/return?x=1";
    const paid = await complete({ param: { ...param, m_redirect_url: back }, mode: "redirect" });
    expect(Object.fromEntries(new URL(paid.body.redirect!).searchParams)).toEqual({
      x: "1",
      merchant_uid: "m1",
    });
    // Failures still say what went wrong.
    const declined = await complete({
      param: { ...param, merchant_uid: "m2", m_redirect_url: back },
      mode: "redirect",
      action: "decline",
    });
    expect(new URL(declined.body.redirect!).searchParams.get("error_code")).toBe("F500");
  });

  it.each([
    ["javascript:alert(document.domain)", "m_redirect_url"],
    ["data:text/html,<script>alert(1)</script>", "m_redirect_url"],
    ["ftp://shop.example/x", "m_redirect_url"],
    ["javascript:alert(1)", "notice_url"],
    ["http://10.0.0.8/internal", "notice_url"],
    ["https://other.example/hook", "notice_url"],
  ])("answers 400 to %s as %s, on the page and on completion", async (url, field) => {
    const bad = { ...param, [field]: url };
    const query = new URLSearchParams({ imp_code: "imp12345678", param: JSON.stringify(bad) });
    const page = await fetch(`${s.url}/checkout?${query}`);
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain(url);
    expect((await complete({ param: bad })).status).toBe(400);
    const all = (await s.call("GET", "/control/payments")).body as unknown as unknown[];
    expect(all).toHaveLength(0);
  });

  it("refuses a merchant_uid over 40 characters and takes one of exactly 40", async () => {
    expect((await complete({ param: { ...param, merchant_uid: "x".repeat(41) } })).status).toBe(
      400,
    );
    const forty = await complete({ param: { ...param, merchant_uid: "y".repeat(40) } });
    expect(forty.body.rsp.success).toBe(true);
  });

  it.each([
    "202612312359",
    "20261231",
    "20261231235900",
    "2026-12-31",
    "2026-12-31 23:59",
    "2026-12-31 23:59:00",
  ])("takes vbank_due %s as 31 December 2026, Korean time", async (vbank_due) => {
    const vbank = { ...param, pay_method: "vbank", vbank_due };
    const { body } = await complete({ param: vbank, action: "vbank" });
    expect(body.rsp.vbank_date).toBe(Date.UTC(2026, 11, 31, 14, 59) / 1000);
  });

  it("refuses a vbank_due that is not a date", async () => {
    for (const vbank_due of ["tomorrow", "2026-13-01", "20260231"]) {
      const vbank = { ...param, pay_method: "vbank", vbank_due };
      expect((await complete({ param: vbank, action: "vbank" })).status).toBe(400);
    }
  });

  it.each(["ko", "en", "zh", "jp", "ja"])("takes language %s", async (language) => {
    expect((await complete({ param: { ...param, language } })).body.rsp.success).toBe(true);
  });

  it("issues a virtual account only for pay_method vbank", async () => {
    const vbank = { ...param, pay_method: "vbank", vbank_due: "202612312359" };
    const { body } = await complete({ param: vbank, action: "vbank" });
    expect(body.rsp).toMatchObject({ success: true, status: "ready" });
    expect(body.rsp.vbank_num).toBeTruthy();
    expect(body.rsp.vbank_date).toBe(Date.UTC(2026, 11, 31, 14, 59) / 1000);
    expect(
      (await complete({ param: { ...param, merchant_uid: "m2" }, action: "vbank" })).status,
    ).toBe(400);
  });

  it("refuses a second payment for an order that is already paid", async () => {
    await complete({});
    const { body } = await complete({});
    expect(body.rsp.success).toBe(false);
    expect(body.rsp.imp_uid).toBeNull();
  });

  it("redirects with imp_success, or success for easy-pay PGs, or neither for Inicis bank transfer", async () => {
    const back = "https://shop.example/return?x=1";
    const inicis = await complete({ param: { ...param, m_redirect_url: back }, mode: "redirect" });
    const url = new URL(inicis.body.redirect!);
    expect(url.origin + url.pathname).toBe("https://shop.example/return");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      x: "1",
      imp_uid: inicis.body.rsp.imp_uid,
      merchant_uid: "m1",
      imp_success: "true",
    });
    expect((await read(inicis.body.rsp.imp_uid!)).channel).toBe("mobile");

    const kakao = await complete({
      param: { ...param, merchant_uid: "m3", pg: "kakaopay", m_redirect_url: back },
      mode: "redirect",
      action: "decline",
    });
    const kakaoQuery = new URL(kakao.body.redirect!).searchParams;
    expect(kakaoQuery.get("success")).toBe("false");
    expect(kakaoQuery.get("error_code")).toBe("F500");
    expect(kakaoQuery.has("imp_success")).toBe(false);

    const trans = await complete({
      param: { ...param, merchant_uid: "m4", pay_method: "trans", m_redirect_url: back },
      mode: "redirect",
    });
    const transQuery = new URL(trans.body.redirect!).searchParams;
    expect(transQuery.has("imp_success") || transQuery.has("success")).toBe(false);
  });

  it("sends the webhook to the request's notice_url", async () => {
    const receiver = await startReceiver();
    try {
      const { body } = await complete({ param: { ...param, notice_url: receiver.url } });
      await s.sandbox.settled();
      expect(receiver.received.map((r) => JSON.parse(r.text))).toEqual([
        { imp_uid: body.rsp.imp_uid, merchant_uid: "m1", status: "paid" },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("answers 400 to a malformed completion and stores nothing", async () => {
    expect((await complete({ action: "steal" })).status).toBe(400);
    expect((await complete({ amount: -1 })).status).toBe(400);
    expect((await complete({ amount: 100.5 })).status).toBe(400);
    const all = (await s.call("GET", "/control/payments")).body as unknown as unknown[];
    expect(all.map((p) => Payment.parse(p))).toHaveLength(0);
  });
});
