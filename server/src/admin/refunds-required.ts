/**
 * Payments that still hold a shopper's money the shop must give back: a payment Iamport reported
 * for an order, still `paid` with something left, that is not the payment the order is settled by
 * (a duplicate) or whose order is `forged`. Those we could not refund ourselves (a virtual-account
 * deposit needs the shopper's bank account; CANCEL_FORGED=false; Iamport was down) wait here
 * until staff refund them with `imp_uid` and the account fields.
 */
import { fromIamportAmount, isCurrency } from "@iamport-pay/shared";
import type { Db } from "../db/open.js";
import { rowMapper } from "../db/rows.js";
import { type PaymentEventRow, paymentEvents } from "../db/schema.js";

const toEventRow = rowMapper<PaymentEventRow>(paymentEvents);

export interface RefundRequired {
  merchant_uid: string;
  imp_uid: string;
  /** `forged`: the payment did not match its order; `duplicate`: the order was paid by another. */
  kind: "forged" | "duplicate";
  currency: string;
  amount: number | null;
  refundable_amount: number | null;
  pay_method: string | null;
  order_status: string;
  seen_at: string;
}

export async function listRefundsRequired(db: Db): Promise<RefundRequired[]> {
  const raw = await db.query(
    `with latest as (
        select distinct on (imp_uid) * from payment_events
        where payment is not null and merchant_uid is not null
        order by imp_uid, id desc
      )
      select l.*, o.status as order_status, o.imp_uid as order_imp_uid
      from latest l join orders o on o.merchant_uid = l.merchant_uid
      where l.payment->>'status' = 'paid'
        and (l.payment->>'cancel_amount')::numeric < (l.payment->>'amount')::numeric
        and (o.status = 'forged' or o.imp_uid is distinct from l.imp_uid)
      order by l.id desc
      limit 500`,
    [],
  );
  return raw.map((r) => {
    const event = toEventRow(r);
    const payment = event.payment!;
    const minor = (amount: number) =>
      isCurrency(payment.currency) ? fromIamportAmount(amount, payment.currency) : null;
    return {
      merchant_uid: payment.merchant_uid,
      imp_uid: payment.imp_uid,
      kind:
        r.order_status === "forged" && r.order_imp_uid === payment.imp_uid ? "forged" : "duplicate",
      currency: payment.currency,
      amount: minor(payment.amount),
      refundable_amount: minor(payment.amount - payment.cancel_amount),
      pay_method: payment.pay_method ?? null,
      order_status: String(r.order_status),
      seen_at: event.createdAt.toISOString(),
    };
  });
}
