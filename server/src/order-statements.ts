/**
 * Every statement of the verify path (verify.ts holds only decisions), and of the hook outbox,
 * as fixed SQL sent through `Db.query`. The hot ones (a status transition with its
 * payment_events row and owed hook, the outbox's batch delete) run on every verification, where
 * building them with drizzle each time cost more CPU than the rest of the work. Each is written
 * with named parameters (`:merchantUid`, db/named.ts), compiled once at load, so PostgreSQL
 * prepares each text once per connection; each function takes its parameters by name.
 */
import type { IamportPayment } from "@iamport-pay/shared";
import { type Statement, statement } from "./db/named.js";
import type { Db, RawRow } from "./db/open.js";
import { rowMapper } from "./db/rows.js";
import { type OrderRow, orders, type StoredVbank } from "./db/schema.js";

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

/**
 * Holds an order's queued hook calls while a statement that may owe one of them is in flight
 * (hook-outbox.ts's queue), so the order's hooks are called in the order they were owed.
 */
export interface HookHold {
  owing<T>(merchantUid: string, statement: Promise<T>): Promise<T>;
}

/** What the statements that owe hooks need: the database, and the queue to hold, if any. */
export interface StatementDeps {
  db: Db;
  hookQueue?: HookHold | undefined;
}

function owing<T>(deps: StatementDeps, merchantUid: string, statement: Promise<T>): Promise<T> {
  return deps.hookQueue ? deps.hookQueue.owing(merchantUid, statement) : statement;
}

const selectOrderSql = statement<{ merchantUid: string }>(
  "select * from orders where merchant_uid = :merchantUid::text",
);

export async function selectOrder(db: Db, merchantUid: string): Promise<OrderRow | undefined> {
  const [raw] = await selectOrderSql.run(db, { merchantUid });
  return raw === undefined ? undefined : toOrderRow(raw);
}

/**
 * A CTE named `owed` that writes one outbox row per row of `from` (whose alias `o` is the order),
 * with the event `{ order, payment, source, cancelled? }` and the lease `:leaseSecs`; a null
 * hook owes nothing. Its statement's parameters include `:payment`, `:source`, `:leaseSecs`, the
 * hook's (`hook`, an SQL expression, `:hook` unless given) and `:cancelled` when asked for.
 */
function owedCte(
  from: string,
  p: {
    hook?: string;
    cancelled?: boolean;
    /** An SQL expression of a jsonb object whose fields are added to the event. */
    extra?: string;
    where?: string;
  } = {},
): string {
  const hook = p.hook ?? ":hook";
  const cancelled = p.cancelled ? ", 'cancelled', :cancelled::boolean" : "";
  const extra = p.extra ? ` || ${p.extra}` : "";
  return `owed as (
    insert into hook_outbox (hook, event, claimed_until)
    select ${hook}::text,
      jsonb_build_object('order', to_jsonb(o), 'payment', :payment::jsonb,
        'source', :source::text${cancelled})${extra},
      now() + make_interval(secs => :leaseSecs::double precision)
    from ${from}
    where ${hook}::text is not null${p.where ? ` and ${p.where}` : ""}
    returning id
  )`;
}

/** The parameters every statement that owes a hook takes (owedCte). */
interface OwedParams {
  payment: string;
  source: string;
  leaseSecs: number;
}

// Statuses are our own constants, never input: inlining them keeps one text per target.
const inList = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(", ");

function whereFor(target: TransitionTarget): string {
  const forward = `status in (${inList(forwardFrom[target])})`;
  if (target === "paid") {
    // A partial refund of the order's own payment: the order stays paid, cancel_amount grows.
    return `${forward} or (status = 'paid' and imp_uid = :impUid::text
      and cancel_amount < :cancelMinor::bigint)`;
  }
  if (target === "cancelled") {
    // Only the order's own payment can cancel it; a bigger refund moves a cancelled order on.
    return `(${forward} or (status = 'cancelled' and cancel_amount < :cancelMinor::bigint))
      and (imp_uid is null or imp_uid = :impUid::text or status in ('pending', 'failed'))`;
  }
  if (target === "failed") return `${forward} and (imp_uid is null or imp_uid = :impUid::text)`;
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

interface TransitionParams extends OwedParams {
  merchantUid: string;
  /** The payment's amount (minor units) and currency: the order's must be the same. */
  amount: number;
  currency: string;
  impUid: string;
  payMethod: string | null;
  cancelMinor: number;
  /** Whether to store `vbank` (the payment is `ready`); otherwise the order's stays. */
  setVbank: boolean;
  vbank: string | null;
  paidAt: string | null;
  reason: string | null;
  now: string;
  /** The verify call, for its payment_events row. */
  eventImpUid: string;
  namedMerchantUid: string | null;
  paymentMerchantUid: string;
  iamportStatus: string;
  /** The hook a move forward owes, and the one a refund of a paid or cancelled order owes. */
  hook: string | null;
  refundHook: string | null;
}

/**
 * One statement, so one implicit transaction: the conditional UPDATE (whose WHERE makes the
 * transition happen for exactly one caller, across processes), the payment_events row that
 * records it (`target`, `partially_refunded`, or when the UPDATE matched nothing `duplicate` or
 * `no_change`, unmovedDecision)
 * and the hook call it owes (hook-outbox.ts; none when null: `:hook` for a move forward,
 * `:refundHook` for a refund that grows `cancel_amount` of a paid or cancelled order) commit or
 * fail together. An order whose amount or currency is not the payment's is not moved and
 * nothing is recorded: the caller reads it and decides (a forgery). `prev` locks the row
 * first, so the hook is chosen by the state this UPDATE
 * actually changed. Any change restarts the order's reconcile schedule (reconcile.ts).
 */
/**
 * The decision recorded when the order did not move: `duplicate` for a second payment that still
 * holds money for an order another payment already settled (verify.ts refunds it; the admin's
 * refunds-required list finds it by this decision while its refund is outstanding), otherwise
 * `no_change`.
 */
const unmovedDecision = `(select case when :iamportStatus::text = 'paid'
      and :cancelMinor::bigint < :amount::bigint
      and prev_imp_uid is distinct from :impUid::text
      and prev_status in ('paid', 'cancelled', 'forged')
    then 'duplicate' else 'no_change' end from prev)`;

function transitionSql(target: TransitionTarget): string {
  return `with prev as (
    select status as prev_status, imp_uid as prev_imp_uid,
      amount = :amount::bigint and currency = :currency::text as matches
    from orders where merchant_uid = :merchantUid::text for update
  ), changed as (
    update orders set status = '${target}', imp_uid = :impUid::text, pay_method = :payMethod::text,
      payment = :payment::jsonb, cancel_amount = :cancelMinor::bigint,
      vbank = case when :setVbank::boolean then :vbank::jsonb else vbank end,
      paid_at = :paidAt::timestamptz, reason = :reason::text, updated_at = :now::timestamptz,
      next_check_at = :now::timestamptz, lookup_misses = 0
    from prev
    where merchant_uid = :merchantUid::text and prev.matches and (${whereFor(target)})
    returning orders.*, prev.prev_status
  ), event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, payment)
    select :source::text, :eventImpUid::text, :namedMerchantUid::text, :paymentMerchantUid::text,
      :iamportStatus::text, coalesce((select ${decisionOf(target)} from changed), ${unmovedDecision}),
      :payment::jsonb
    where exists (select 1 from prev where matches)
  ), ${owedCte("changed o", {
    hook: `(case when o.prev_status in ('paid', 'cancelled') then :refundHook::text else :hook::text end)`,
  })}
  select changed.*, (select id from owed) as outbox_id from changed`;
}

const transitionSqls = Object.fromEntries(
  (Object.keys(forwardFrom) as TransitionTarget[]).map((target) => [
    target,
    statement<TransitionParams>(transitionSql(target)),
  ]),
) as Record<TransitionTarget, Statement<TransitionParams>>;

export interface Transition {
  merchantUid: string;
  target: TransitionTarget;
  payment: IamportPayment;
  /** The payment's amount in minor units: the order moves only if it is the order's amount. */
  amount: number;
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

/**
 * The changed order, or undefined when there was none, with another amount or currency, or in a
 * state that does not allow the transition (recorded as `no_change`).
 */
export async function applyTransition(
  deps: StatementDeps,
  t: Transition,
): Promise<Transitioned | undefined> {
  const { payment } = t;
  const run = transitionSqls[t.target].run(deps.db, {
    merchantUid: t.merchantUid,
    amount: t.amount,
    currency: payment.currency,
    impUid: payment.imp_uid,
    payMethod: payment.pay_method ?? null,
    payment: JSON.stringify(payment),
    cancelMinor: t.cancelMinor,
    setVbank: t.vbank !== undefined,
    vbank: t.vbank == null ? null : JSON.stringify(t.vbank),
    paidAt: payment.paid_at ? new Date(payment.paid_at * 1000).toISOString() : null,
    reason: payment.cancel_reason ?? payment.fail_reason ?? null,
    now: new Date().toISOString(),
    source: t.event.source,
    eventImpUid: t.event.impUid,
    namedMerchantUid: t.event.namedMerchantUid,
    paymentMerchantUid: payment.merchant_uid,
    iamportStatus: payment.status,
    hook: t.hook,
    refundHook: t.refundHook ?? null,
    leaseSecs: t.leaseSecs,
  });
  const owes = t.hook !== null || (t.refundHook ?? null) !== null;
  const [raw] = await (owes ? owing(deps, t.merchantUid, run) : run);
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

const eventSql = statement<{
  source: string;
  impUid: string;
  namedMerchantUid: string | null;
  merchantUid: string | null;
  iamportStatus: string | null;
  decision: string;
  detail: string | null;
  payment: string | null;
}>(`insert into payment_events
    (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, detail, payment)
  values (:source::text, :impUid::text, :namedMerchantUid::text, :merchantUid::text,
    :iamportStatus::text, :decision::text, :detail::text, :payment::jsonb)`);

/** One payment_events row: what a verify call saw and decided. */
export async function insertEvent(
  db: Db,
  call: VerifyCall,
  fields: { payment?: IamportPayment; decision: string; detail?: string },
): Promise<void> {
  await eventSql.run(db, {
    source: call.source,
    // A look-up by merchant_uid that found nothing has no imp_uid to record.
    impUid: fields.payment?.imp_uid ?? call.impUid ?? "",
    namedMerchantUid: call.namedMerchantUid,
    merchantUid: fields.payment?.merchant_uid ?? null,
    iamportStatus: fields.payment?.status ?? null,
    decision: fields.decision,
    detail: fields.detail ?? null,
    payment: fields.payment ? JSON.stringify(fields.payment) : null,
  });
}

// One statement, so the mark and its payment_events row commit together.
const markForgedSql = statement<{
  merchantUid: string;
  impUid: string;
  payMethod: string | null;
  payment: string;
  reason: string;
  now: string;
  source: string;
  namedMerchantUid: string | null;
  paymentMerchantUid: string;
  iamportStatus: string;
  detail: string;
}>(`with changed as (
    update orders set status = 'forged', imp_uid = :impUid::text, pay_method = :payMethod::text,
      payment = :payment::jsonb, reason = :reason::text, updated_at = :now::timestamptz
    where merchant_uid = :merchantUid::text and status in ('pending', 'failed', 'ready')
      and (imp_uid is null or imp_uid = :impUid::text or status in ('pending', 'failed'))
    returning *
  ), event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, detail,
        payment)
    select :source::text, :impUid::text, :namedMerchantUid::text, :paymentMerchantUid::text,
      :iamportStatus::text,
      case when exists (select 1 from changed) then 'forged' else 'forgery_again' end,
      :detail::text, :payment::jsonb
  )
  select * from changed`);

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
  const [raw] = await markForgedSql.run(db, {
    merchantUid: p.merchantUid,
    impUid: payment.imp_uid,
    payMethod: payment.pay_method ?? null,
    payment: JSON.stringify(payment),
    reason: p.reason,
    now: new Date().toISOString(),
    source: p.call.source,
    namedMerchantUid: p.call.namedMerchantUid,
    paymentMerchantUid: payment.merchant_uid,
    iamportStatus: payment.status,
    detail: p.detail,
  });
  return raw === undefined ? undefined : toOrderRow(raw);
}

export type ClaimKind = "forgery_cancel" | "duplicate";

const claimSql = statement<{ impUid: string; kind: ClaimKind; merchantUid: string }>(
  `insert into payment_claims (imp_uid, kind, merchant_uid)
  values (:impUid::text, :kind::text, :merchantUid::text)
  on conflict do nothing returning imp_uid`,
);

/** True for exactly one caller per payment and kind, across processes (the primary key). */
export async function claimPayment(
  db: Db,
  payment: IamportPayment,
  kind: ClaimKind,
): Promise<boolean> {
  const rows = await claimSql.run(db, {
    impUid: payment.imp_uid,
    kind,
    merchantUid: payment.merchant_uid,
  });
  return rows.length === 1;
}

const unclaimSql = statement<{ impUid: string; kind: ClaimKind }>(
  "delete from payment_claims where imp_uid = :impUid::text and kind = :kind::text",
);

/** Gives a claim back, so a later call tries again (its Iamport call failed). */
export async function unclaimPayment(
  db: Db,
  payment: IamportPayment,
  kind: ClaimKind,
): Promise<void> {
  await unclaimSql.run(db, { impUid: payment.imp_uid, kind });
}

// The statements below owe their hook in the statement that makes it owed (hook-outbox.ts).
const forgeryClaimSql = statement<
  OwedParams & { impUid: string; merchantUid: string; hook: string | null; cancelled: boolean }
>(`with claimed as (
    insert into payment_claims (imp_uid, kind, merchant_uid)
    values (:impUid::text, 'forgery', :merchantUid::text)
    on conflict do nothing returning merchant_uid
  ), ${owedCte("claimed c join orders o on o.merchant_uid = c.merchant_uid", { cancelled: true })}
  select (select id from owed) as outbox_id from claimed`);

/** The onForgery claim: a row for exactly one caller per payment, with its owed hook. */
export async function claimForgery(
  deps: StatementDeps,
  p: {
    payment: IamportPayment;
    cancelled: boolean;
    call: VerifyCall;
    hook: string | null;
    leaseSecs: number;
  },
): Promise<{ outboxId: unknown } | undefined> {
  const run = forgeryClaimSql.run(deps.db, {
    impUid: p.payment.imp_uid,
    merchantUid: p.payment.merchant_uid,
    hook: p.hook,
    payment: JSON.stringify(p.payment),
    source: p.call.source,
    leaseSecs: p.leaseSecs,
    cancelled: p.cancelled,
  });
  const [row] = await (p.hook === null ? run : owing(deps, p.payment.merchant_uid, run));
  return row === undefined ? undefined : { outboxId: row.outbox_id ?? null };
}

const duplicateRefundedSql = statement<
  OwedParams & {
    impUid: string;
    namedMerchantUid: string | null;
    merchantUid: string;
    iamportStatus: string;
    hook: string | null;
  }
>(`with event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, payment)
    values (:source::text, :impUid::text, :namedMerchantUid::text, :merchantUid::text,
      :iamportStatus::text, 'duplicate_refunded', :payment::jsonb)
  ), ${owedCte("orders o", { where: "o.merchant_uid = :merchantUid::text" })}
  select (select id from owed) as outbox_id`);

/** Records a refunded duplicate and, in the same statement, owes its onDuplicate hook. */
export async function recordRefundedDuplicate(
  deps: StatementDeps,
  p: { payment: IamportPayment; call: VerifyCall; hook: string | null; leaseSecs: number },
): Promise<unknown> {
  const run = duplicateRefundedSql.run(deps.db, {
    source: p.call.source,
    impUid: p.payment.imp_uid,
    namedMerchantUid: p.call.namedMerchantUid,
    merchantUid: p.payment.merchant_uid,
    iamportStatus: p.payment.status,
    payment: JSON.stringify(p.payment),
    hook: p.hook,
    leaseSecs: p.leaseSecs,
  });
  const [row] = await (p.hook === null ? run : owing(deps, p.payment.merchant_uid, run));
  return row?.outbox_id ?? null;
}

// Stored once per payment (its primary key), with the payment_events row that shows it in the
// order's history and the onRefundRequired hook it owes, in one statement.
const refundRequiredSql = statement<
  OwedParams & {
    impUid: string;
    merchantUid: string;
    kind: string;
    amount: number | null;
    currency: string;
    reason: string;
    namedMerchantUid: string | null;
    iamportStatus: string;
    hook: string | null;
  }
>(`with required as (
    insert into refunds_required (imp_uid, merchant_uid, kind, amount, currency, reason, payment)
    values (:impUid::text, :merchantUid::text, :kind::text, :amount::bigint, :currency::text,
      :reason::text, :payment::jsonb)
    on conflict do nothing
    returning merchant_uid, kind, amount, currency
  ), event as (
    insert into payment_events
      (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision, detail,
        payment)
    select :source::text, :impUid::text, :namedMerchantUid::text, :merchantUid::text,
      :iamportStatus::text, 'refund_required', :kind::text, :payment::jsonb
    from required
  ), ${owedCte("required r join orders o on o.merchant_uid = r.merchant_uid", {
    extra: "jsonb_build_object('kind', r.kind, 'amount', r.amount, 'currency', r.currency)",
  })}
  select (select id from owed) as outbox_id, (select to_jsonb(o) from orders o
    where o.merchant_uid = :merchantUid::text) as "order"
  from required`);

/**
 * Stores a payment that must be refunded to the shopper's account: for the one caller that
 * stored it, its owed onRefundRequired and the order (undefined when the order is unknown);
 * undefined when it was stored before.
 */
export async function insertRefundRequired(
  deps: StatementDeps,
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
): Promise<{ outboxId: unknown; order: OrderRow | undefined } | undefined> {
  const run = refundRequiredSql.run(deps.db, {
    impUid: p.payment.imp_uid,
    merchantUid: p.payment.merchant_uid,
    kind: p.kind,
    amount: p.amount,
    currency: p.payment.currency,
    reason: p.reason,
    payment: JSON.stringify(p.payment),
    source: p.call.source,
    namedMerchantUid: p.call.namedMerchantUid,
    iamportStatus: p.payment.status,
    hook: p.hook,
    leaseSecs: p.leaseSecs,
  });
  const [row] = await (p.hook === null ? run : owing(deps, p.payment.merchant_uid, run));
  if (row === undefined) return undefined;
  const order = row.order == null ? undefined : toOrderRow(jsonRow(row.order));
  return { outboxId: row.outbox_id ?? null, order };
}

const refundIsRequiredSql = statement<{ impUid: string }>(
  "select 1 from refunds_required where imp_uid = :impUid::text",
);

export async function refundIsRequired(db: Db, impUid: string): Promise<boolean> {
  return (await refundIsRequiredSql.run(db, { impUid })).length > 0;
}

/** A row stored as jsonb (`to_jsonb(o)`), as the driver returns it: parsed or text. */
export const jsonRow = (value: unknown): RawRow =>
  (typeof value === "string" ? JSON.parse(value) : value) as RawRow;

/** Deletes delivered hooks' outbox rows, a batch at a time (hook-outbox.ts). */
export const deleteDeliveredSql = statement<{ ids: string }>(
  "delete from hook_outbox where id = any(:ids::bigint[])",
);

/**
 * Leases up to `:batchSize` owed hooks whose lease has passed, for `:leaseSecs`; with `FOR
 * UPDATE SKIP LOCKED` several processes never take the same row at once.
 */
export const leaseOwedSql = statement<{ leaseSecs: number; batchSize: number }>(
  `update hook_outbox set claimed_until = now() + make_interval(secs => :leaseSecs::double precision)
  where id in (
    select id from hook_outbox where claimed_until < now()
    order by id limit :batchSize::int for update skip locked
  )
  returning id, hook, event`,
);
