/**
 * Every statement of the verify path (verify.ts holds only decisions). The two hot ones, reading
 * an order and a status transition together with its payment_events row, are fixed SQL sent
 * through `Db.query`: they run on every verification, where building them with drizzle each time
 * cost more CPU than the rest of the work; the texts are built once at load, and PostgreSQL
 * prepares each once per connection. Each function takes its parameters by name.
 */
import type { IamportPayment } from "@iamport-pay/shared";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db, Drizzle } from "./db/open.js";
import { rowMapper } from "./db/rows.js";
import {
  type OrderRow,
  orders,
  paymentClaims,
  paymentEvents,
  type StoredVbank,
} from "./db/schema.js";
import { owedCte } from "./hook-outbox.js";

type OrderStatus = OrderRow["status"];
export type TransitionTarget = Exclude<OrderStatus, "pending" | "forged" | "expired">;

/**
 * Where each Iamport status may come from: states only move forward ("failed" is not final).
 * UNCONFIRMED: what Iamport reports when a virtual account's deadline passes unpaid; we never let
 * `ready` fall back to `failed`, so such an order stays `ready` until it is cancelled.
 * Besides these, a refund that grows `cancel_amount` changes a `paid` order (a partial refund:
 * it stays `paid`) or a `cancelled` one (whereSql below).
 */
export const forwardFrom: Record<TransitionTarget, readonly OrderStatus[]> = {
  failed: ["pending"],
  ready: ["pending", "failed"],
  // `expired` is our own verdict on a silent deadline: money that still arrives is taken.
  paid: ["pending", "failed", "ready", "expired"],
  cancelled: ["pending", "failed", "ready", "paid", "expired"],
};

const toOrderRow = rowMapper<OrderRow>(orders);

export async function selectOrder(db: Db, merchantUid: string): Promise<OrderRow | undefined> {
  const [raw] = await db.query("select * from orders where merchant_uid = $1::text", [merchantUid]);
  return raw === undefined ? undefined : toOrderRow(raw);
}

// Statuses are our own constants, never input: inlining them keeps one text per target.
const inList = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(", ");

function whereFor(target: TransitionTarget): string {
  const forward = `status in (${inList(forwardFrom[target])})`;
  if (target === "paid") {
    // A partial refund of the order's own payment: the order stays paid, cancel_amount grows.
    return `${forward} or (status = 'paid' and imp_uid = $2::text and cancel_amount < $5::bigint)`;
  }
  if (target === "cancelled") {
    // Only the order's own payment can cancel it; a bigger refund moves a cancelled order on.
    return `(${forward} or (status = 'cancelled' and cancel_amount < $5::bigint))
      and (imp_uid is null or imp_uid = $2::text or status in ('pending', 'failed'))`;
  }
  if (target === "failed") return `${forward} and (imp_uid is null or imp_uid = $2::text)`;
  // ready/paid may take over an order whose earlier payment failed or only issued an account.
  return forward;
}

/** The payment_events decision of a transition: a refund of a paid order that stays paid is
 * `partially_refunded`, anything else the target state. */
function decisionOf(target: TransitionTarget): string {
  return target === "paid"
    ? `(case when prev_status = 'paid' then 'partially_refunded' else 'paid' end)`
    : `'${target}'::text`;
}

/**
 * One statement, so one implicit transaction: the conditional UPDATE (whose WHERE makes the
 * transition happen for exactly one caller, across processes), the payment_events row that
 * records it (`target`, `partially_refunded`, or `no_change` when the UPDATE matched nothing) and the hook call it owes
 * (hook-outbox.ts; none when null: $16 for a move forward, $18 for a refund that grows
 * `cancel_amount` of a paid or cancelled order) commit or fail together. `prev` locks the row
 * first, so the hook is chosen by the state this UPDATE actually changed. Any change restarts
 * the order's reconcile schedule (reconcile.ts).
 */
function transitionSql(target: TransitionTarget): string {
  return `with prev as (
    select status as prev_status from orders where merchant_uid = $1::text for update
  ), changed as (
    update orders set status = '${target}', imp_uid = $2::text, pay_method = $3::text,
      payment = $4::jsonb, cancel_amount = $5::bigint,
      vbank = case when $6::boolean then $7::jsonb else vbank end,
      paid_at = $8::timestamptz, reason = $9::text, updated_at = $10::timestamptz,
      next_check_at = $10::timestamptz, lookup_misses = 0
    from prev
    where merchant_uid = $1::text and (${whereFor(target)})
    returning orders.*, prev.prev_status
  ), event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, payment)
    select $11::text, $12::text, $13::text, $14::text, $15::text,
      coalesce((select ${decisionOf(target)} from changed), 'no_change'), $4::jsonb
  ), ${owedCte("changed o", {
    hook: `(case when o.prev_status in ('paid', 'cancelled') then $18::text else $16::text end)`,
    payment: "$4",
    source: "$11",
    lease: "$17",
  })}
  select changed.*, (select id from owed) as outbox_id from changed`;
}

const transitionSqls = Object.fromEntries(
  (Object.keys(forwardFrom) as TransitionTarget[]).map((target) => [target, transitionSql(target)]),
) as Record<TransitionTarget, string>;

export interface Transition {
  merchantUid: string;
  target: TransitionTarget;
  payment: IamportPayment;
  cancelMinor: number;
  /** The payment's virtual account: stored only when given (the payment is `ready`). */
  vbank?: StoredVbank | null;
  /** The verify call, for its payment_events row. */
  event: { source: string; impUid: string; namedMerchantUid: string | null };
  /** The hook a move forward owes (null: none) and its lease in seconds (hook-outbox.ts). */
  hook: string | null;
  /** The hook a refund owes when it grows a paid or cancelled order's cancel_amount. */
  refundHook?: string | null;
  leaseSecs: number;
}

export interface Transitioned {
  row: OrderRow;
  /** The order's status before this transition. */
  from: OrderStatus;
  /** The hook owed, if any (`hook` or `refundHook` of the Transition). */
  hook: string | null;
  /** The owed hook's outbox row, for the caller to delete once it called the hook. */
  outboxId: unknown;
}

/** The changed order, or undefined when its state did not allow the transition. */
export async function applyTransition(db: Db, t: Transition): Promise<Transitioned | undefined> {
  const { payment } = t;
  const [raw] = await db.query(transitionSqls[t.target], [
    t.merchantUid,
    payment.imp_uid,
    payment.pay_method ?? null,
    JSON.stringify(payment),
    t.cancelMinor,
    t.vbank !== undefined,
    t.vbank == null ? null : JSON.stringify(t.vbank),
    payment.paid_at ? new Date(payment.paid_at * 1000).toISOString() : null,
    payment.cancel_reason ?? payment.fail_reason ?? null,
    new Date().toISOString(),
    t.event.source,
    t.event.impUid,
    t.event.namedMerchantUid,
    payment.merchant_uid,
    payment.status,
    t.hook,
    t.leaseSecs,
    t.refundHook ?? null,
  ]);
  if (raw === undefined) return undefined;
  const from = raw.prev_status as OrderStatus;
  const refund = from === "paid" || from === "cancelled";
  return {
    row: toOrderRow(raw),
    from,
    hook: (refund ? t.refundHook : t.hook) ?? null,
    outboxId: raw.outbox_id ?? null,
  };
}

/** Who made a verify call, for its payment_events rows. */
export interface VerifyCall {
  source: string;
  impUid?: string | undefined;
  namedMerchantUid: string | null;
}

export type Executor = Pick<Drizzle, "insert">;

/** One payment_events row: what a verify call saw and decided. */
export async function insertEvent(
  db: Executor,
  call: VerifyCall,
  fields: { payment?: IamportPayment; decision: string; detail?: string },
): Promise<void> {
  await db.insert(paymentEvents).values({
    source: call.source as never,
    // A look-up by merchant_uid that found nothing has no imp_uid to record.
    impUid: fields.payment?.imp_uid ?? call.impUid ?? "",
    namedMerchantUid: call.namedMerchantUid,
    merchantUid: fields.payment?.merchant_uid ?? null,
    iamportStatus: fields.payment?.status ?? null,
    decision: fields.decision,
    detail: fields.detail ?? null,
    payment: fields.payment ?? null,
  });
}

/**
 * Marks the order forged by this payment, unless another payment already settled it (or a
 * virtual account of another payment waits for its deposit), and records the call: the row, or
 * undefined when it was not marked now (`forgery_again`).
 */
export async function markForged(
  db: Db,
  p: {
    merchantUid: string;
    payment: IamportPayment;
    reason: string;
    call: VerifyCall;
    detail: string;
  },
): Promise<OrderRow | undefined> {
  const { payment } = p;
  return db.drizzle.transaction(async (tx) => {
    const [row] = await tx
      .update(orders)
      .set({
        status: "forged",
        impUid: payment.imp_uid,
        payMethod: payment.pay_method ?? null,
        payment,
        reason: p.reason,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(orders.merchantUid, p.merchantUid),
          inArray(orders.status, ["pending", "failed", "ready"]),
          or(
            isNull(orders.impUid),
            eq(orders.impUid, payment.imp_uid),
            inArray(orders.status, ["pending", "failed"]),
          ),
        ),
      )
      .returning();
    await insertEvent(tx, p.call, {
      payment,
      decision: row ? "forged" : "forgery_again",
      detail: p.detail,
    });
    return row;
  });
}

export type ClaimKind = "forgery_cancel" | "duplicate";

/** True for exactly one caller per payment and kind, across processes (the primary key). */
export async function claimPayment(
  db: Drizzle,
  payment: IamportPayment,
  kind: ClaimKind,
): Promise<boolean> {
  const rows = await db
    .insert(paymentClaims)
    .values({ impUid: payment.imp_uid, kind, merchantUid: payment.merchant_uid })
    .onConflictDoNothing()
    .returning({ impUid: paymentClaims.impUid });
  return rows.length === 1;
}

/** Gives a claim back, so a later call tries again (its Iamport call failed). */
export async function unclaimPayment(
  db: Drizzle,
  payment: IamportPayment,
  kind: ClaimKind,
): Promise<void> {
  await db
    .delete(paymentClaims)
    .where(and(eq(paymentClaims.impUid, payment.imp_uid), eq(paymentClaims.kind, kind)));
}

// The statements below owe their hook in the statement that makes it owed (hook-outbox.ts).
const forgeryClaimSql = `with claimed as (
    insert into payment_claims (imp_uid, kind, merchant_uid) values ($1::text, 'forgery', $2::text)
    on conflict do nothing returning merchant_uid
  ), ${owedCte("claimed c join orders o on o.merchant_uid = c.merchant_uid", {
    hook: "$3",
    payment: "$4",
    source: "$5",
    lease: "$6",
    cancelled: "$7",
  })}
  select (select id from owed) as outbox_id from claimed`;

/** The onForgery claim: a row for exactly one caller per payment, with its owed hook. */
export async function claimForgery(
  db: Db,
  p: {
    payment: IamportPayment;
    cancelled: boolean;
    call: VerifyCall;
    hook: string | null;
    leaseSecs: number;
  },
): Promise<{ outboxId: unknown } | undefined> {
  const [row] = await db.query(forgeryClaimSql, [
    p.payment.imp_uid,
    p.payment.merchant_uid,
    p.hook,
    JSON.stringify(p.payment),
    p.call.source,
    p.leaseSecs,
    p.cancelled,
  ]);
  return row === undefined ? undefined : { outboxId: row.outbox_id ?? null };
}

const duplicateRefundedSql = `with event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, payment)
    values ($1::text, $2::text, $3::text, $4::text, $5::text, 'duplicate_refunded', $6::jsonb)
  ), ${owedCte("orders o", {
    hook: "$7",
    payment: "$6",
    source: "$1",
    lease: "$8",
    where: "o.merchant_uid = $4::text",
  })}
  select (select id from owed) as outbox_id`;

/** Records a refunded duplicate and, in the same statement, owes its onDuplicate hook. */
export async function recordRefundedDuplicate(
  db: Db,
  p: { payment: IamportPayment; call: VerifyCall; hook: string | null; leaseSecs: number },
): Promise<unknown> {
  const [row] = await db.query(duplicateRefundedSql, [
    p.call.source,
    p.payment.imp_uid,
    p.call.namedMerchantUid,
    p.payment.merchant_uid,
    p.payment.status,
    JSON.stringify(p.payment),
    p.hook,
    p.leaseSecs,
  ]);
  return row?.outbox_id ?? null;
}

// Stored once per payment (its primary key), with the payment_events row that shows it in the
// order's history and the onRefundRequired hook it owes, in one statement.
const refundRequiredSql = `with required as (
    insert into refunds_required (imp_uid, merchant_uid, kind, amount, currency, reason, payment)
    values ($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::jsonb)
    on conflict do nothing
    returning merchant_uid, kind, amount, currency
  ), event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, detail,
        payment)
    select $8::text, $1::text, $9::text, $2::text, $10::text, 'refund_required', $3::text,
      $7::jsonb
    from required
  ), ${owedCte("required r join orders o on o.merchant_uid = r.merchant_uid", {
    hook: "$11",
    payment: "$7",
    source: "$8",
    lease: "$12",
    extra: "jsonb_build_object('kind', r.kind, 'amount', r.amount, 'currency', r.currency)",
  })}
  select (select id from owed) as outbox_id from required`;

/**
 * Stores a payment that must be refunded to the shopper's account: a row for the one caller
 * that stored it (with its owed onRefundRequired), undefined when it was stored before.
 */
export async function insertRefundRequired(
  db: Db,
  p: {
    payment: IamportPayment;
    kind: "forgery" | "duplicate";
    /** Left to refund, minor units; null when the currency is not one we convert. */
    amount: number | null;
    reason: string;
    call: VerifyCall;
    hook: string | null;
    leaseSecs: number;
  },
): Promise<{ outboxId: unknown } | undefined> {
  const [row] = await db.query(refundRequiredSql, [
    p.payment.imp_uid,
    p.payment.merchant_uid,
    p.kind,
    p.amount,
    p.payment.currency,
    p.reason,
    JSON.stringify(p.payment),
    p.call.source,
    p.call.namedMerchantUid,
    p.payment.status,
    p.hook,
    p.leaseSecs,
  ]);
  return row === undefined ? undefined : { outboxId: row.outbox_id ?? null };
}

export async function refundIsRequired(db: Db, impUid: string): Promise<boolean> {
  const rows = await db.query("select 1 from refunds_required where imp_uid = $1::text", [impUid]);
  return rows.length > 0;
}
