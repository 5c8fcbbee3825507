/** The public face of an order (shared's OrderView): no buyer PII, no raw payment. */
import type { CompleteStatus, OrderView } from "@iamport-pay/shared";
import type { OrderRow } from "./db/schema.js";

export function toOrderView(row: OrderRow): OrderView {
  return {
    merchant_uid: row.merchantUid,
    status: row.status,
    name: row.name,
    amount: row.amount,
    currency: row.currency,
    cancel_amount: row.cancelAmount,
    imp_uid: row.impUid,
    pay_method: row.payMethod,
    paid_at: row.paidAt?.toISOString() ?? null,
    vbank: row.vbank ?? null,
    reason: row.reason,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The verdict names of Iamport's guide, from the order's state. */
export function completeStatusOf(row: OrderRow): CompleteStatus {
  switch (row.status) {
    case "paid":
      return "success";
    case "ready":
      return "vbankIssued";
    case "forged":
      return "forgery";
    case "expired":
      // The shopper's view: the payment did not happen (the account's deadline passed).
      return "failed";
    default:
      return row.status;
  }
}
