/**
 * The verify path's two hot statements as fixed SQL sent through `Db.query`: reading an order,
 * and a status transition together with its payment_events row. They run on every verification,
 * where building them with drizzle each time cost more CPU than the rest of the work; the texts
 * are built once at load, and PostgreSQL prepares each once per connection.
 */
import type { IamportPayment } from "@iamport-pay/shared";
import type { Db } from "./db/open.js";
import { rowMapper } from "./db/rows.js";
import { type OrderRow, orders, type StoredVbank } from "./db/schema.js";
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

/**
 * One statement, so one implicit transaction: the conditional UPDATE (whose WHERE makes the
 * transition happen for exactly one caller, across processes), the payment_events row that
 * records it (`target`, or `no_change` when the UPDATE matched nothing) and the hook call it owes
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
      coalesce((select '${target}'::text from changed), 'no_change'), $4::jsonb
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
    payment.pay_method,
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
