// pay-flow on its own, no DOM: a fake server API, a fake `request_pay`, and a virtual clock, so
// minutes of confirmation retries run in milliseconds and their schedule can be read.
import type { OrderView, RequestPayParam, RequestPayResponse } from "@iamport-pay/shared";
import { expect } from "@open-wc/testing";
import {
  type Clock,
  CONFIRM_FOR_MS,
  type PayDeps,
  type PayInput,
  runPayment,
} from "../src/pay-flow.js";
import { type CompleteAnswer, type ServerApi, ServerApiError } from "../src/server-api.js";
import { strings } from "../src/strings.js";

const MERCHANT_UID = "ord_1";

function orderView(status: OrderView["status"]): OrderView {
  const now = "2026-11-25T00:00:00.000Z";
  return {
    merchant_uid: MERCHANT_UID,
    status,
    name: "원목 의자",
    amount: 64900,
    currency: "KRW",
    cancel_amount: 0,
    imp_uid: status === "pending" ? null : "imp_1",
    pay_method: "card",
    paid_at: status === "paid" ? now : null,
    vbank: null,
    reason: status === "failed" ? "[결제포기] 사용자가 결제를 취소하셨습니다" : null,
    created_at: now,
    updated_at: now,
  };
}

const paid: CompleteAnswer = { status: "success", message: "ok", order: orderView("paid") };
const stillPending: CompleteAnswer = {
  status: "pending",
  message: "not yet",
  order: orderView("pending"),
};
const outage = () => new ServerApiError("server", "payments/complete: 503");

/** A virtual clock: sleeping advances it at once and records how long each sleep was. */
function virtualClock() {
  let time = 0;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
  };
  return { clock, sleeps };
}

type Answer<T> = T | Error;
/** A server whose successive answers to each call are given in order (the last one repeats). */
function fakeApi(answers: {
  complete?: Answer<CompleteAnswer>[];
  order?: Answer<OrderView>[];
  createOrder?: Error;
}) {
  const calls: string[] = [];
  const next = <T>(list: Answer<T>[] | undefined, name: string): Promise<T> => {
    calls.push(name);
    const answer = list && (list.length > 1 ? list.shift() : list[0]);
    if (answer === undefined) return Promise.reject(new Error(`no answer for ${name}`));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const api: ServerApi = {
    config: async () => ({ impCode: "imp10000001", sdkUrl: "/fake-sdk.js" }),
    createOrder: async () => {
      calls.push("createOrder");
      if (answers.createOrder) throw answers.createOrder;
      return {
        merchant_uid: MERCHANT_UID,
        name: "원목 의자",
        amount: 64900,
        currency: "KRW",
        status: "pending",
      };
    },
    complete: () => next(answers.complete, "complete"),
    order: () => next(answers.order, "order"),
    url: (path) => `https://pay.example.com/${path}`,
  };
  return { api, calls };
}

function setup(
  api: ServerApi,
  rsp: Partial<RequestPayResponse>,
  overrides: Partial<PayDeps> = {},
  input: Partial<PayInput> = {},
) {
  const { clock, sleeps } = virtualClock();
  const seen = {
    confirming: 0,
    asked: 0,
    params: [] as RequestPayParam[],
    remembered: [] as unknown[],
  };
  const deps: PayDeps = {
    api,
    clock,
    loadSdk: async () => ({ init() {}, request_pay() {} }),
    requestPay: async (_imp, _code, param) => {
      seen.params.push(param);
      return { merchant_uid: param.merchant_uid, ...rsp };
    },
    onStart: () => {},
    remember: (pending) => seen.remembered.push(pending),
    onConfirming: () => {
      seen.confirming += 1;
    },
    activationExpired: () => false,
    askToContinue: async () => {
      seen.asked += 1;
    },
    ...overrides,
  };
  const payInput: PayInput = {
    items: [{ sku: "chair-001", quantity: 1 }],
    buyer: {},
    lang: "en",
    redirect: false,
    redirectFallback: false,
    returnUrl: "https://shop.example.com/cart",
    strings: strings("en"),
    ...input,
  };
  return { run: () => runPayment(deps, payInput), sleeps, seen };
}

describe("pay-flow: after approval it confirms, never invites a second payment", () => {
  it("retries a 503 after about 1, 2, 4, 8 s, then every 10 s, and ends with the server's verdict", async () => {
    const { api, calls } = fakeApi({
      complete: [outage(), outage(), outage(), outage(), outage(), outage(), paid],
    });
    const { run, sleeps, seen } = setup(api, { success: true, imp_uid: "imp_1" });

    const result = await run();

    expect(result.type).to.equal("success");
    expect(sleeps).to.deep.equal([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(calls.filter((c) => c === "complete")).to.have.length(7);
    expect(calls.filter((c) => c === "createOrder")).to.have.length(1);
    expect(seen.confirming).to.equal(1);
    expect(seen.remembered).to.deep.include({
      merchant_uid: MERCHANT_UID,
      imp_uid: "imp_1",
      approved: true,
    });
  });

  it("keeps trying for at least 2 minutes, then fails with payment_unconfirmed and both ids", async () => {
    const { api, calls } = fakeApi({ complete: [new ServerApiError("network", "unreachable")] });
    const { run, sleeps } = setup(api, { success: true, imp_uid: "imp_1" });

    const result = await run();

    expect(result.type).to.equal("failure");
    expect(result.detail).to.deep.equal({
      code: "payment_unconfirmed",
      message: "Your payment may have gone through. We will confirm it; do not pay again.",
      merchant_uid: MERCHANT_UID,
      imp_uid: "imp_1",
    });
    expect(sleeps.reduce((a, b) => a + b, 0)).to.be.at.least(CONFIRM_FOR_MS);
    expect(calls.filter((c) => c === "complete").length).to.be.greaterThan(10);
  });

  it("retries a verdict that is still pending like an outage", async () => {
    const { api } = fakeApi({ complete: [stillPending, stillPending, paid] });
    const { run, sleeps } = setup(api, { success: true, imp_uid: "imp_1" });

    expect((await run()).type).to.equal("success");
    expect(sleeps).to.deep.equal([1000, 2000]);
  });

  it("ends a refused confirmation (4xx) as payment_unconfirmed, never order_rejected", async () => {
    const { api } = fakeApi({
      complete: [new ServerApiError("rejected", "404", "order_not_found")],
    });
    const { run } = setup(api, { success: true, imp_uid: "imp_1" });

    expect((await run()).detail).to.include({ code: "payment_unconfirmed" });
  });

  it("stops at once with payment_unconfirmed when aborted", async () => {
    const { api, calls } = fakeApi({ complete: [outage()] });
    const abort = new AbortController();
    const { run } = setup(
      api,
      { success: true, imp_uid: "imp_1" },
      { onConfirming: () => abort.abort(), signal: abort.signal },
    );

    expect((await run()).detail).to.include({ code: "payment_unconfirmed" });
    expect(calls.filter((c) => c === "complete")).to.have.length(1);
  });
});

describe("pay-flow: every rsp shape Iamport's SDK sends", () => {
  it("an approval in the newer style (imp_uid, merchant_uid, no success) is confirmed", async () => {
    const { api, calls } = fakeApi({ complete: [paid] });
    const { run, seen } = setup(api, { imp_uid: "imp_1" });

    expect((await run()).type).to.equal("success");
    expect(calls).to.include("complete");
    expect(seen.confirming).to.equal(1);
  });

  it("an approval carrying only merchant_uid is confirmed by reading the order", async () => {
    const { api, calls } = fakeApi({ order: [orderView("pending"), orderView("paid")] });
    const { run, sleeps } = setup(api, {});

    expect((await run()).type).to.equal("success");
    expect(calls.filter((c) => c === "order")).to.have.length(2);
    expect(calls).not.to.include("complete");
    expect(sleeps).to.deep.equal([1000]);
  });

  it("a closed window that left a failed payment with an imp_uid is shopper_cancelled, not confirmed", async () => {
    const failed: CompleteAnswer = { status: "failed", message: "", order: orderView("failed") };
    const { api, calls } = fakeApi({ complete: [failed] });
    const { run, seen, sleeps } = setup(api, {
      success: false,
      imp_uid: "imp_1",
      error_code: "F400",
      error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
    });

    const result = await run();

    expect(result.detail).to.include({ code: "shopper_cancelled", imp_uid: "imp_1" });
    expect(seen.confirming).to.equal(0);
    expect(sleeps).to.deep.equal([]);
    // The server is told once, so it records the failed payment.
    expect(calls.filter((c) => c === "complete")).to.have.length(1);
  });

  it("a failure in the newer style (error_code, no success) is never confirmed, even if the server is down", async () => {
    const { api } = fakeApi({ complete: [outage()] });
    const { run, seen, sleeps } = setup(api, {
      imp_uid: "imp_1",
      error_code: "PG_DECLINED",
      error_msg: "잔액이 부족합니다",
    });

    expect((await run()).detail).to.include({ code: "pg_declined" });
    expect(seen.confirming).to.equal(0);
    expect(sleeps).to.deep.equal([]);
  });

  it("a failed rsp the server says was paid after all ends in success", async () => {
    const { api } = fakeApi({ complete: [paid] });
    const { run } = setup(api, { success: false, imp_uid: "imp_1", error_code: "F500" });

    expect((await run()).type).to.equal("success");
  });
});

describe("pay-flow: before Iamport opens", () => {
  it("a 403 origin_not_allowed is reported as origin_not_allowed, not a network error", async () => {
    const { api } = fakeApi({
      createOrder: new ServerApiError("rejected", "orders: 403", "origin_not_allowed"),
    });
    const { run, seen } = setup(api, { success: true, imp_uid: "imp_1" });

    expect((await run()).detail).to.include({
      code: "origin_not_allowed",
      message: "This shop's payment server does not accept this page.",
    });
    expect(seen.params).to.have.length(0);
  });

  it("an expired click activation asks for one more click before request_pay", async () => {
    const { api } = fakeApi({ complete: [paid] });
    const { run, seen } = setup(
      api,
      { success: true, imp_uid: "imp_1" },
      { activationExpired: () => true },
    );

    expect((await run()).type).to.equal("success");
    expect(seen.asked).to.equal(1);
    expect(seen.params[0]?.m_redirect_url).to.equal(undefined);
  });

  it('with redirect="auto" an expired activation switches to the redirect flow instead', async () => {
    const { api } = fakeApi({ complete: [paid] });
    const { run, seen } = setup(
      api,
      { success: true, imp_uid: "imp_1" },
      { activationExpired: () => true },
      { redirectFallback: true },
    );

    await run();

    expect(seen.asked).to.equal(0);
    const back = new URL(seen.params[0]?.m_redirect_url ?? "");
    expect(back.pathname).to.equal("/payments/complete/mobile");
    expect(back.searchParams.get("return")).to.equal("https://shop.example.com/cart");
  });
});
