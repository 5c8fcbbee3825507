import { Payment } from "@iamport-pay/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, startReceiver, startSandbox } from "./test-support.js";

describe("the sandbox is safe to run", () => {
  let s: RunningSandbox;

  beforeEach(async () => {
    s = await startSandbox({ noticeUrl: "https://shop.example/iamport-webhook" });
  });
  afterEach(() => s.close());

  const payment = JSON.stringify({ merchant_uid: "csrf-1", amount: 1000 });

  it.each([
    ["text/plain", payment],
    ["application/x-www-form-urlencoded", "merchant_uid=csrf-1&amount=1000"],
    ["multipart/form-data; boundary=x", "--x--"],
  ])("refuses a control request sent as %s and creates nothing", async (type, body) => {
    const response = await fetch(`${s.url}/control/payments`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ status: "error" });
    expect((await s.call("GET", "/control/payments")).body).toEqual([]);
  });

  it("refuses a control request a browser marks as coming from another site", async () => {
    const attempts: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "cross-site", "content-type": "application/json" },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${s.url}/control/payments/imp_1/deposit`, {
        method: "POST",
        headers,
      });
      expect(response.status).toBe(403);
    }
    // Behind a reverse proxy Origin and Host differ; the browser still says same-origin.
    const made = await fetch(`${s.url}/control/payments`, {
      method: "POST",
      headers: {
        "sec-fetch-site": "same-origin",
        origin: "http://127.0.0.1:1",
        "content-type": "application/json",
      },
      body: payment,
    });
    expect(made.status).toBe(201);
  });

  it("refuses a checkout completion that is not JSON", async () => {
    const response = await fetch(`${s.url}/checkout/complete`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({
        param: { merchant_uid: "csrf-2", amount: 1000 },
        mode: "iframe",
        action: "approve",
        amount: 1000,
      }),
    });
    expect(response.status).toBe(415);
    expect((await s.call("GET", "/control/payments")).body).toEqual([]);
  });

  it("sends webhooks only to loopback or the NOTICE_URL's origin", async () => {
    for (const url of [
      "http://10.0.0.1/hook",
      "http://169.254.169.254/latest",
      "file:///etc/passwd",
    ]) {
      const answer = await s.call("POST", "/control/payments", {
        body: { merchant_uid: "w-1", amount: 1000, notice_url: url },
      });
      expect(answer.status, url).toBe(400);
    }
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://localhost:9/hook",
      "https://shop.example/other",
    ]) {
      const answer = await s.call("POST", "/control/payments", {
        body: { merchant_uid: "w-2", amount: 1000, notice_url: url },
      });
      expect(answer.status, url).toBe(201);
    }
  });

  it("records a webhook's status but never what the target answered", async () => {
    const receiver = await startReceiver([200]);
    try {
      const own = await startSandbox({ noticeUrl: receiver.url });
      try {
        await own.call("POST", "/control/payments", { body: { merchant_uid: "e-1", amount: 1 } });
        await own.sandbox.settled();
        const [attempt] = (await own.call("GET", "/control/webhooks")).body as unknown as Record<
          string,
          unknown
        >[];
        expect(attempt).toMatchObject({ response_status: 200, error: null });
        expect(JSON.stringify(attempt)).not.toContain('"ok"');
        expect(attempt).not.toHaveProperty("response_body");
      } finally {
        await own.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it("lists payments for the console without buyer contact details", async () => {
    const made = Payment.parse(
      (
        await s.call("POST", "/control/payments", {
          body: {
            merchant_uid: "b-1",
            amount: 1000,
            buyer_name: "홍길동",
            buyer_email: "hong@example.com",
            buyer_tel: "010-1234-5678",
            buyer_addr: "서울",
            buyer_postcode: "12345",
            custom_data: "secret-note",
          },
        })
      ).body,
    );
    const listed = (await s.call("GET", "/control/payments")).body as unknown as object[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ imp_uid: made.imp_uid, status: "paid", amount: 1000 });
    const text = JSON.stringify(listed);
    for (const secret of [
      "홍길동",
      "hong@example.com",
      "010-1234-5678",
      "서울",
      "12345",
      "secret-note",
    ]) {
      expect(text).not.toContain(secret);
    }
    const deposit = await s.call("POST", `/control/payments/${made.imp_uid}/cancel`, { body: {} });
    expect(JSON.stringify(deposit.body)).not.toContain("hong@example.com");
  });
});
