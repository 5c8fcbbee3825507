/**
 * What happens when the shopper presses a button on the checkout page: the payment Iamport would
 * record, the `rsp` the SDK's callback gets, and for `m_redirect_url` where the browser goes.
 * See README.md for the error codes clients rely on.
 */
import type { Payment, RequestPayResponse } from "@iamport-pay/shared";
import { amountProblem } from "./amount.js";
import type { CheckoutParam } from "./checkout-param.js";
import { DEFAULT_PG, parseVbankDue } from "./payment-factory.js";
import { redirectUrl } from "./redirect-query.js";
import { usesNewerStyle } from "./sdk-style.js";
import type { SandboxState } from "./state.js";

export type CheckoutAction = "approve" | "decline" | "close" | "vbank";

/** UNCONFIRMED codes (README.md): F400 the shopper gave up, F500 the PG refused. */
export const SHOPPER_CANCELLED = {
  error_code: "F400",
  error_msg: "사용자가 결제를 취소하셨습니다",
} as const;
export const PG_DECLINED = {
  error_code: "F500",
  error_msg: "[카드사 거절] 카드 승인이 거절되었습니다",
} as const;
export const PREPARED_MISMATCH = {
  error_code: "F500",
  error_msg: "사전 등록된 결제금액과 요청금액이 일치하지 않습니다",
} as const;
export const ALREADY_PAID = {
  error_code: "F500",
  error_msg: "이미 결제가 완료된 주문번호(merchant_uid)입니다",
} as const;

export interface CheckoutRequest {
  param: CheckoutParam;
  action: CheckoutAction;
  /** What the Amount field held when the button was pressed (a forged amount, in tests). */
  amount: number;
  mode: "iframe" | "redirect";
  userAgent: string | null;
}

export type CheckoutResult =
  | { ok: true; rsp: RequestPayResponse; redirect: string | null }
  | { ok: false; message: string };

function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Iamport keeps custom_data as a string; objects are stored as JSON. */
function customDataString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function successRsp(payment: Payment, param: CheckoutParam): RequestPayResponse {
  const text = (value: string | null) => value ?? undefined;
  return {
    success: true,
    error_code: null,
    error_msg: null,
    imp_uid: payment.imp_uid,
    merchant_uid: payment.merchant_uid,
    pay_method: text(payment.pay_method),
    paid_amount: payment.amount,
    status: payment.status,
    name: text(payment.name),
    pg_provider: text(payment.pg_provider),
    pg_tid: text(payment.pg_tid),
    buyer_name: text(payment.buyer_name),
    buyer_email: text(payment.buyer_email),
    buyer_tel: text(payment.buyer_tel),
    buyer_addr: text(payment.buyer_addr),
    buyer_postcode: text(payment.buyer_postcode),
    custom_data: param.custom_data,
    paid_at: payment.paid_at,
    receipt_url: text(payment.receipt_url),
    apply_num: text(payment.apply_num),
    vbank_num: text(payment.vbank_num),
    vbank_name: text(payment.vbank_name),
    vbank_holder: text(payment.vbank_holder),
    vbank_date: payment.vbank_date,
  };
}

export function completeCheckout(state: SandboxState, request: CheckoutRequest): CheckoutResult {
  const { param, action, mode } = request;
  const payMethod = param.pay_method ?? "card";
  const pg = param.pg ?? DEFAULT_PG;
  const pgProvider = pg.split(".")[0] ?? DEFAULT_PG;
  if (action === "vbank" && payMethod !== "vbank") {
    return { ok: false, message: "A virtual account is issued only for pay_method vbank." };
  }

  const finish = (
    payment: Payment | null,
    failure?: { error_code: string; error_msg: string },
  ): CheckoutResult => {
    const newer = usesNewerStyle(pgProvider);
    const rsp: RequestPayResponse = newer
      ? {
          // The newer style: failure is the presence of error_code; there is no `success`.
          imp_uid: payment?.imp_uid ?? null,
          merchant_uid: param.merchant_uid,
          error_code: failure?.error_code ?? null,
          error_msg: failure?.error_msg ?? null,
        }
      : payment && !failure
        ? successRsp(payment, param)
        : {
            success: false,
            error_code: failure?.error_code ?? null,
            error_msg: failure?.error_msg ?? null,
            imp_uid: payment?.imp_uid ?? null,
            merchant_uid: param.merchant_uid,
            ...(payment ? { status: payment.status, pay_method: payMethod } : {}),
          };
    const redirect =
      mode === "redirect" && param.m_redirect_url
        ? redirectUrl(param.m_redirect_url, {
            pgProvider,
            payMethod,
            merchant_uid: param.merchant_uid,
            imp_uid: payment?.imp_uid ?? null,
            success: failure === undefined,
            error_code: failure?.error_code,
            error_msg: failure?.error_msg,
            merchantUidOnly: state.settings.redirectMerchantUidOnly,
          })
        : null;
    return { ok: true, rsp, redirect };
  };

  const record = (status: "paid" | "ready" | "failed", amount: number, fail_reason?: string) =>
    state.addPayment(
      {
        merchant_uid: param.merchant_uid,
        amount,
        name: param.name,
        currency: param.currency,
        pay_method: payMethod,
        pg,
        status,
        channel: mode === "redirect" ? "mobile" : "pc",
        buyer_name: param.buyer_name,
        buyer_email: param.buyer_email,
        buyer_tel: param.buyer_tel,
        buyer_addr: param.buyer_addr,
        buyer_postcode: param.buyer_postcode,
        custom_data: customDataString(param.custom_data),
        user_agent: request.userAgent,
        vbank_date: parseVbankDue(param.vbank_due),
        fail_reason,
      },
      param.notice_url,
    ).payment;

  // The shopper closed the window or pressed cancel: Iamport still records the attempt as a
  // `failed` payment with an imp_uid (PortOne V1 guide), and sends no webhook for it. The amount
  // is the one requested: nothing the shopper typed reached a PG.
  if (action === "close") {
    return finish(record("failed", param.amount, SHOPPER_CANCELLED.error_msg), SHOPPER_CANCELLED);
  }

  const problem = amountProblem(request.amount, param.currency ?? "KRW");
  if (problem) return { ok: false, message: problem };
  // UNCONFIRMED: Iamport refuses a new payment for a merchant_uid that is already paid.
  if (state.store.findByMerchantUid(param.merchant_uid, "paid")) return finish(null, ALREADY_PAID);

  if (action === "decline") {
    return finish(record("failed", request.amount, PG_DECLINED.error_msg), PG_DECLINED);
  }
  // `/payments/prepare` stops a tampered amount before the PG approves it (docs/iamport-notes.md, "Prepare").
  const prepared = state.store.prepared.get(param.merchant_uid);
  if (prepared && !sameAmount(prepared.amount, request.amount)) {
    return finish(record("failed", request.amount, PREPARED_MISMATCH.error_msg), PREPARED_MISMATCH);
  }
  return finish(record(action === "vbank" ? "ready" : "paid", request.amount));
}
