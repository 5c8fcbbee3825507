/**
 * Payments that still hold a shopper's money the shop must give back: a payment Iamport reported
 * for an order, still `paid` with something left, that is not the payment the order is settled by
 * (a duplicate) or whose order is `forged`. Those we could not refund ourselves (a virtual-account
 * deposit needs the shopper's bank account; CANCEL_FORGED=false; Iamport was down) wait here
 * until staff refund them with `imp_uid` and the account fields.
 *
 * Two sources, merged by imp_uid: the `refunds_required` rows verify writes when Iamport refuses
 * its own cancel, and the payment_events log: a payment recorded as a `duplicate` or a forgery
 * whose latest event shows it still holding money (its cancel failed, never ran, or
 * CANCEL_FORGED=false).
 */
import { fromIamportAmount, isCurrency } from "@iamport-pay/shared";
import type { Db } from "../db/open.js";
import { rowMapper } from "../db/rows.js";
import {
  type PaymentEventRow,
  paymentEvents,
  type RefundRequiredRow,
  refundsRequired,
} from "../db/schema.js";

const toEventRow = rowMapper<PaymentEventRow>(paymentEvents);
const toRequiredRow = rowMapper<RefundRequiredRow>(refundsRequired);

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

/** Marks the payment's refunds_required row settled (if it has one) after a refund we made. */
export async function resolveRefundRequired(db: Db, impUid: string, how: string): Promise<void> {
  await db.query(
    `update refunds_required set resolved_at = now(), resolution = $2::text
      where imp_uid = $1::text and resolved_at is null`,
    [impUid, how],
  );
}

export async function listRefundsRequired(db: Db): Promise<RefundRequired[]> {
  const recorded = await db.query(
    `select r.*, o.status as order_status, o.imp_uid as order_imp_uid
      from refunds_required r join orders o on o.merchant_uid = r.merchant_uid
      where r.resolved_at is null order by r.created_at desc limit 500`,
    [],
  );
  const listed: RefundRequired[] = recorded.map((r) => {
    const row = toRequiredRow(r);
    return {
      merchant_uid: row.merchantUid,
      imp_uid: row.impUid,
      kind: row.kind === "forgery" ? "forged" : "duplicate",
      currency: row.currency,
      amount: minorOf(row.payment.amount, row.currency),
      refundable_amount: row.amount,
      pay_method: row.payment.pay_method ?? null,
      order_status: String(r.order_status),
      seen_at: row.createdAt.toISOString(),
    };
  });
  const seen = new Set(listed.map((r) => r.imp_uid));
  return [...listed, ...(await derivedFromEvents(db)).filter((r) => !seen.has(r.imp_uid))];
}

const minorOf = (amount: number, currency: string) =>
  isCurrency(currency) ? fromIamportAmount(amount, currency) : null;

async function derivedFromEvents(db: Db): Promise<RefundRequired[]> {
  // Candidates only (a partial index, payment_events_refund_candidates_idx): the events that
  // record a payment left holding money with the shop. Each one's latest event tells whether it
  // still does; a scan of every event would grow with the shop.
  const raw = await db.query(
    `with candidates as (
        select distinct imp_uid from payment_events
        where decision in ('duplicate', 'forged', 'forgery_again', 'forgery_cancel_failed')
      ), latest as (
        select e.* from candidates c cross join lateral (
          select * from payment_events p
          where p.imp_uid = c.imp_uid and p.payment is not null and p.merchant_uid is not null
          order by p.id desc limit 1
        ) e
      )
      select l.*, o.status as order_status, o.imp_uid as order_imp_uid
      from latest l join orders o on o.merchant_uid = l.merchant_uid
      where l.payment->>'status' = 'paid'
        and (l.payment->>'cancel_amount')::numeric < (l.payment->>'amount')::numeric
        and (o.status = 'forged' or o.imp_uid is distinct from l.imp_uid)
        -- Refunded by us: the event holds the payment as it was read before our cancel.
        and l.decision not in ('duplicate_refunded', 'forgery_cancelled')
      order by l.id desc
      limit 500`,
    [],
  );
  return raw.map((r) => {
    const event = toEventRow(r);
    const payment = event.payment!;
    const minor = (amount: number) => minorOf(amount, payment.currency);
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
