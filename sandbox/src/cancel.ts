/**
 * Refunds, full or partial, with the refusals Iamport makes. Used by `POST /payments/cancel` and
 * by the control API's "admin console" refund.
 */
import type { Payment } from "@iamport-pay/shared";
import { isBankCode } from "./bank-codes.js";
import { newCancellationId } from "./payment-factory.js";

export interface CancelInput {
  amount?: number | undefined;
  checksum?: number | undefined;
  reason?: string | undefined;
  refund_holder?: string | undefined;
  refund_bank?: string | undefined;
  refund_account?: string | undefined;
}

export type CancelOutcome =
  | { ok: true; payment: Payment; cancellationId: string }
  | { ok: false; message: string };

/** Floating-point safe comparison for amounts in major units (USD has cents). */
function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

export function cancelPayment(
  payment: Payment,
  input: CancelInput,
  nowSeconds: number,
): CancelOutcome {
  if (payment.status === "cancelled") {
    return { ok: false, message: "이미 전액취소된 주문입니다." };
  }
  // UNCONFIRMED: an unpaid virtual account is withdrawn with DELETE /vbanks, not a cancel.
  if (payment.status !== "paid") {
    return { ok: false, message: "결제완료 상태가 아닌 결제건은 취소할 수 없습니다." };
  }
  const cancellable = Number((payment.amount - payment.cancel_amount).toFixed(2));
  if (input.checksum !== undefined && !sameAmount(input.checksum, cancellable)) {
    return {
      ok: false,
      message: `checksum(${input.checksum})이 취소가능금액(${cancellable})과 일치하지 않습니다.`,
    };
  }
  // Absent or 0 means everything still cancellable (OpenAPI: "누락하거나 0을 입력하는 경우 전액").
  const amount = input.amount === undefined || input.amount === 0 ? cancellable : input.amount;
  if (amount > cancellable + 1e-9) {
    return {
      ok: false,
      message: `취소요청금액(${amount})이 취소가능금액(${cancellable})을 초과합니다.`,
    };
  }
  // UNCONFIRMED: refunding a deposited virtual account needs the shopper's bank account (most PGs).
  if (
    payment.pay_method === "vbank" &&
    !(input.refund_holder && input.refund_bank && input.refund_account)
  ) {
    return {
      ok: false,
      message: "가상계좌 환불시 refund_holder, refund_bank, refund_account 파라미터가 필요합니다.",
    };
  }
  if (payment.pay_method === "vbank" && input.refund_bank && !isBankCode(input.refund_bank)) {
    return {
      ok: false,
      message: `refund_bank(${input.refund_bank})는 올바른 은행코드가 아닙니다.`,
    };
  }
  const cancellationId = newCancellationId();
  const cancelAmount = Number((payment.cancel_amount + amount).toFixed(2));
  const full = sameAmount(cancelAmount, payment.amount);
  const receipt = `https://sandbox.iamport.invalid/receipts/${payment.imp_uid}/cancel/${cancellationId}`;
  return {
    ok: true,
    cancellationId,
    payment: {
      ...payment,
      cancel_amount: cancelAmount,
      // UNCONFIRMED: after a partial refund the status stays `paid`; only a full one is `cancelled`.
      status: full ? "cancelled" : "paid",
      // UNCONFIRMED: cancelled_at and cancel_reason track the latest refund, partial or full.
      cancelled_at: nowSeconds,
      cancel_reason: input.reason ?? null,
      cancel_history: [
        ...payment.cancel_history,
        {
          pg_tid: payment.pg_tid,
          amount,
          cancelled_at: nowSeconds,
          reason: input.reason ?? null,
          receipt_url: receipt,
          cancellation_id: cancellationId,
        },
      ],
      cancel_receipt_urls: [...payment.cancel_receipt_urls, receipt],
    },
  };
}
