/**
 * The one verify function. The client's completion, Iamport's webhook, the mobile return and
 * reconciliation all call it; only Iamport's answer to `GET /payments/{imp_uid}` is trusted.
 *
 * Order of work (never a transaction across an Iamport call: PGlite has one connection):
 * 1. read the payment from Iamport;
 * 2. find the order by the payment's own merchant_uid (read during 1 when the caller named it);
 * 3. compare amount and currency; a mismatch is a forgery;
 * 4. apply the status with one conditional UPDATE (… WHERE status IN (…) RETURNING) in one
 *    statement that also logs the call (order-statements.ts): under any concurrency, across
 *    processes, exactly one caller sees the row come back, and only that caller runs the hook;
 * 5. cancel forged and duplicate payments through Iamport, once (payment_claims' primary key);
 * 6. hooks after commit: each is owed by an outbox row written with the transition (or claim),
 *    which the caller deletes after the call and the sweeper delivers if it dies (hook-outbox.ts).
 */
import {
  type CompleteStatus,
  fromIamportAmount,
  type IamportPayment,
  isCurrency,
  isKnownPaymentStatus,
  type OrderView,
} from "@iamport-pay/shared";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Db, Drizzle } from "./db/open.js";
import {
  type OrderRow,
  orders,
  paymentClaims,
  paymentEvents,
  type StoredVbank,
} from "./db/schema.js";
import { AppError } from "./errors.js";
import { deliverHook, leaseSecs, owedCte, owedHook } from "./hook-outbox.js";
import {
  type IamportClient,
  IamportError,
  IamportUnavailableError,
  PaymentNotFoundError,
} from "./iamport-client.js";
import type { Logger } from "./logger.js";
import { applyTransition, selectOrder, type TransitionTarget } from "./order-statements.js";
import { completeStatusOf, toOrderView } from "./order-view.js";

export type VerifySource = "client" | "webhook" | "mobile" | "reconcile" | "admin";

export interface HookEvent {
  order: OrderView;
  payment: IamportPayment;
  source: VerifySource;
}

/**
 * Called after the transaction commits, once per transition; at least once across crashes (the
 * outbox, hook-outbox.ts). A throwing hook is logged only.
 */
export interface Hooks {
  onPaid?(event: HookEvent): unknown;
  onVbankIssued?(event: HookEvent): unknown;
  /** Full or partial: `order.cancel_amount` says how much is refunded so far. */
  onCancelled?(event: HookEvent): unknown;
  /** The payment did not match its order; `cancelled` says whether we cancelled it. */
  onForgery?(event: HookEvent & { cancelled: boolean }): unknown;
  /** A second payment for an already paid order; it was refunded. */
  onDuplicate?(event: HookEvent): unknown;
}

export interface VerifyDeps {
  db: Db;
  iamport: IamportClient;
  /** Cancel forged payments through Iamport (CANCEL_FORGED, default true). */
  cancelForged: boolean;
  /** Refuse payments Iamport marks `sandbox: true` (a production server should). */
  refuseSandboxPayments?: boolean;
  hooks?: Hooks;
  /** How long a hook call may take before the sweeper may call it again (default 60 s). */
  hookLeaseMs?: number;
  log: Logger;
}

export interface VerifyInput {
  source: VerifySource;
  impUid: string;
  /** The order the caller named; the webhook's is ignored (its body is not signed). */
  merchantUid?: string;
}

export interface VerifyResult {
  status: CompleteStatus;
  message: string;
  order: OrderView;
}

type Decision = string;

const messages: Record<CompleteStatus, string> = {
  success: "Payment completed",
  vbankIssued: "Virtual account issued",
  pending: "Payment not completed yet",
  failed: "Payment failed",
  cancelled: "Payment cancelled",
  forgery: "Forged payment attempt: the paid amount or currency does not match the order",
  duplicate: "This order was already paid; the second payment was refunded",
};

export async function verifyPayment(deps: VerifyDeps, input: VerifyInput): Promise<VerifyResult> {
  const { db, log } = deps;
  const record = (fields: EventFields) => recordEvent(db.drizzle, input, fields);

  // The order the caller names is nearly always the payment's own: read it while Iamport
  // answers. A status a moment older is harmless: the conditional UPDATE decides transitions,
  // and every answer comes from a row read after it. A failed read is simply made again below.
  const named =
    input.merchantUid === undefined
      ? undefined
      : selectOrder(db, input.merchantUid).then(
          (row) => ({ row }),
          () => undefined,
        );

  const payment = await readPayment(deps, input, record);
  if (deps.refuseSandboxPayments && payment.sandbox === true) {
    await record({ payment, decision: "refused_sandbox_payment" });
    throw new AppError(400, "bad_request", "A sandbox payment cannot complete a real order");
  }

  const prefetched = input.merchantUid === payment.merchant_uid ? await named : undefined;
  const order = prefetched ? prefetched.row : await selectOrder(db, payment.merchant_uid);
  if (order === undefined) {
    await record({ payment, decision: "unknown_order" });
    log("warn", "payment for an order we do not know", {
      source: input.source,
      imp_uid: payment.imp_uid,
      merchant_uid: payment.merchant_uid,
    });
    throw new AppError(404, "order_not_found", "No such order");
  }

  const result = amountMatches(payment, order)
    ? await applyStatus(deps, input, payment, order)
    : await handleForgery(deps, input, payment, order);

  // The cheap-for-expensive swap: the payment was applied to its own order above, but the
  // order the caller named gets nothing.
  if (input.merchantUid !== undefined && input.merchantUid !== payment.merchant_uid) {
    await record({ payment, decision: "order_mismatch" });
    log("warn", "payment named for another order", {
      source: input.source,
      imp_uid: payment.imp_uid,
      named: input.merchantUid,
      merchant_uid: payment.merchant_uid,
    });
    throw new AppError(400, "order_mismatch", "This payment belongs to another order");
  }
  return result;
}

async function readPayment(
  deps: VerifyDeps,
  input: VerifyInput,
  record: (fields: EventFields) => Promise<void>,
): Promise<IamportPayment> {
  try {
    return await deps.iamport.getPayment(input.impUid);
  } catch (error) {
    if (error instanceof PaymentNotFoundError) {
      await record({ decision: "payment_not_found" });
      throw new AppError(404, "payment_not_found", "Iamport knows no such payment");
    }
    throw await iamportFailure(deps, input, error, record);
  }
}

/** Maps an Iamport failure to 502/503, after logging and recording it; the order is untouched. */
async function iamportFailure(
  deps: VerifyDeps,
  input: VerifyInput,
  error: unknown,
  record: (fields: EventFields) => Promise<void>,
): Promise<unknown> {
  if (error instanceof IamportUnavailableError) {
    deps.log("warn", "Iamport unavailable", {
      source: input.source,
      imp_uid: input.impUid,
      error: error.message,
    });
    await record({ decision: "iamport_unavailable", detail: error.message }).catch(() => {});
    return new AppError(503, "iamport_unavailable", "Iamport is unavailable; try again later");
  }
  if (error instanceof IamportError) {
    deps.log("warn", "Iamport error", {
      source: input.source,
      imp_uid: input.impUid,
      error: error.message,
    });
    await record({ decision: "iamport_error", detail: error.message }).catch(() => {});
    return new AppError(502, "iamport_error", "Iamport answered with an error");
  }
  return error;
}

function paymentMinor(amount: number, currency: string): number | null {
  return isCurrency(currency) ? fromIamportAmount(amount, currency) : null;
}

function amountMatches(payment: IamportPayment, order: OrderRow): boolean {
  return (
    payment.currency === order.currency &&
    paymentMinor(payment.amount, payment.currency) === order.amount
  );
}

async function applyStatus(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  order: OrderRow,
): Promise<VerifyResult> {
  if (!isKnownPaymentStatus(payment.status)) {
    // A status Iamport added after this code: kept in the log, never acted on.
    await recordEvent(deps.db.drizzle, input, { payment, decision: "unknown_status" });
    deps.log("warn", "payment in a status we do not know", {
      imp_uid: payment.imp_uid,
      status: payment.status,
    });
    return verdict(order);
  }
  const cancelMinor = paymentMinor(payment.cancel_amount, payment.currency) ?? 0;
  // A partial cancel leaves Iamport's status `paid` (UNCONFIRMED); the order says `cancelled`
  // with the refunded amount, as shared's CompleteStatus documents.
  const target: TransitionTarget = cancelMinor > 0 ? "cancelled" : payment.status;
  const hook = hookFor[target];

  const transitioned = await applyTransition(deps.db, {
    merchantUid: order.merchantUid,
    target,
    payment,
    cancelMinor,
    ...(payment.status === "ready" ? { vbank: vbankOf(payment) } : {}),
    event: {
      source: input.source,
      impUid: input.impUid,
      namedMerchantUid: input.merchantUid ?? null,
    },
    hook: hook === undefined ? null : owedHook(deps, hook),
    leaseSecs: leaseSecs(deps),
  });

  if (transitioned) {
    const changed = transitioned.row;
    deps.log("info", "order updated", {
      source: input.source,
      merchant_uid: changed.merchantUid,
      imp_uid: payment.imp_uid,
      from: order.status,
      to: changed.status,
    });
    if (hook !== undefined) {
      const event = { order: toOrderView(changed), payment, source: input.source };
      await deliverHook(deps, transitioned.outboxId, hook, event);
    }
    return verdict(changed);
  }

  const current = (await selectOrder(deps.db, order.merchantUid)) ?? order;
  const isDuplicate =
    current.impUid !== payment.imp_uid &&
    payment.status === "paid" &&
    payment.cancel_amount < payment.amount &&
    ["paid", "cancelled", "forged"].includes(current.status);
  if (isDuplicate) return refundDuplicate(deps, input, payment, current);
  return verdict(current);
}

/** A second successful payment for an order already settled by another: refund it, once. */
async function refundDuplicate(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  order: OrderRow,
): Promise<VerifyResult> {
  const won = await claim(deps.db.drizzle, payment, "duplicate");
  if (won) {
    try {
      await deps.iamport.cancelPayment({
        imp_uid: payment.imp_uid,
        checksum: payment.amount - payment.cancel_amount,
        reason: "Duplicate payment: the order was already paid",
      });
    } catch (error) {
      // Let a later call (or Iamport's retry) try the refund again.
      await unclaim(deps.db.drizzle, payment, "duplicate");
      const record = (fields: EventFields) => recordEvent(deps.db.drizzle, input, fields);
      throw await iamportFailure(deps, input, error, record);
    }
    const outboxId = await recordRefundedDuplicate(deps, input, payment);
    deps.log("warn", "duplicate payment refunded", {
      merchant_uid: order.merchantUid,
      imp_uid: payment.imp_uid,
      kept: order.impUid,
    });
    await deliverHook(deps, outboxId, "onDuplicate", {
      order: toOrderView(order),
      payment,
      source: input.source,
    });
  }
  return { status: "duplicate", message: messages.duplicate, order: toOrderView(order) };
}

async function handleForgery(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  order: OrderRow,
): Promise<VerifyResult> {
  const db = deps.db.drizzle;
  // Money moved (or an account waits for it): the order is marked, unless another payment
  // already settled it, in which case only this payment is dealt with.
  const live = payment.status === "paid" || payment.status === "ready";
  const marked = live
    ? await db.transaction(async (tx) => {
        const [row] = await tx
          .update(orders)
          .set({
            status: "forged",
            impUid: payment.imp_uid,
            payMethod: payment.pay_method,
            payment,
            reason: "The paid amount or currency does not match the order",
            updatedAt: new Date(),
          })
          .where(
            and(
              eq(orders.merchantUid, order.merchantUid),
              inArray(orders.status, ["pending", "failed", "ready"]),
              or(
                isNull(orders.impUid),
                eq(orders.impUid, payment.imp_uid),
                inArray(orders.status, ["pending", "failed"]),
              ),
            ),
          )
          .returning();
        await recordEvent(tx, input, { payment, decision: row ? "forged" : "forgery_again" });
        return row;
      })
    : undefined;
  if (!live) await recordEvent(db, input, { payment, decision: "mismatch_not_live" });

  let cancelled = false;
  // UNCONFIRMED: whether Iamport cancels a `ready` (unpaid) virtual account; we cancel only money
  // that moved, and a later `paid` read of the same payment cancels it then.
  const refundable = payment.status === "paid" && payment.cancel_amount < payment.amount;
  if (deps.cancelForged && refundable && (await claim(db, payment, "forgery_cancel"))) {
    try {
      await deps.iamport.cancelPayment({
        imp_uid: payment.imp_uid,
        checksum: payment.amount - payment.cancel_amount,
        reason: "Forgery: the paid amount or currency does not match the order",
      });
      cancelled = true;
      await recordEvent(db, input, { payment, decision: "forgery_cancelled" });
    } catch (error) {
      // The verdict stands; the next call for this payment retries the cancel.
      await unclaim(db, payment, "forgery_cancel");
      deps.log("error", "could not cancel a forged payment", {
        imp_uid: payment.imp_uid,
        error: (error as Error).message,
      });
      await recordEvent(db, input, {
        payment,
        decision: "forgery_cancel_failed",
        detail: (error as Error).message,
      });
    }
  }

  const current = marked ?? (await selectOrder(deps.db, order.merchantUid)) ?? order;
  const forgery = live ? await claimForgery(deps, input, payment, cancelled) : undefined;
  if (forgery) {
    deps.log("warn", "forged payment", {
      source: input.source,
      merchant_uid: order.merchantUid,
      imp_uid: payment.imp_uid,
      cancelled,
    });
    await deliverHook(deps, forgery.outboxId, "onForgery", {
      order: toOrderView(current),
      payment,
      source: input.source,
      cancelled,
    });
  }
  return { status: "forgery", message: messages.forgery, order: toOrderView(current) };
}

function verdict(row: OrderRow): VerifyResult {
  const status = completeStatusOf(row);
  return { status, message: messages[status], order: toOrderView(row) };
}

function vbankOf(payment: IamportPayment): StoredVbank | null {
  if (!payment.vbank_num) return null;
  const due = payment.vbank_date ?? 0;
  return {
    bank_code: payment.vbank_code ?? null,
    bank_name: payment.vbank_name ?? null,
    number: payment.vbank_num,
    holder: payment.vbank_holder ?? null,
    due: due > 0 ? new Date(due * 1000).toISOString() : null,
  };
}

const hookFor: Partial<Record<TransitionTarget, "onPaid" | "onVbankIssued" | "onCancelled">> = {
  paid: "onPaid",
  ready: "onVbankIssued",
  cancelled: "onCancelled",
};

type ClaimKind = "forgery_cancel" | "duplicate";

// The two statements below owe their hook in the statement that makes it owed (hook-outbox.ts).
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

/** The onForgery claim, true for exactly one caller per payment, with its owed hook. */
async function claimForgery(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
  cancelled: boolean,
): Promise<{ outboxId: unknown } | undefined> {
  const [row] = await deps.db.query(forgeryClaimSql, [
    payment.imp_uid,
    payment.merchant_uid,
    owedHook(deps, "onForgery"),
    JSON.stringify(payment),
    input.source,
    leaseSecs(deps),
    cancelled,
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
async function recordRefundedDuplicate(
  deps: VerifyDeps,
  input: VerifyInput,
  payment: IamportPayment,
): Promise<unknown> {
  const [row] = await deps.db.query(duplicateRefundedSql, [
    input.source,
    input.impUid,
    input.merchantUid ?? null,
    payment.merchant_uid,
    payment.status,
    JSON.stringify(payment),
    owedHook(deps, "onDuplicate"),
    leaseSecs(deps),
  ]);
  return row?.outbox_id ?? null;
}

/** True for exactly one caller per payment and kind, across processes. */
async function claim(db: Drizzle, payment: IamportPayment, kind: ClaimKind): Promise<boolean> {
  const rows = await db
    .insert(paymentClaims)
    .values({ impUid: payment.imp_uid, kind, merchantUid: payment.merchant_uid })
    .onConflictDoNothing()
    .returning({ impUid: paymentClaims.impUid });
  return rows.length === 1;
}

async function unclaim(db: Drizzle, payment: IamportPayment, kind: ClaimKind): Promise<void> {
  await db
    .delete(paymentClaims)
    .where(and(eq(paymentClaims.impUid, payment.imp_uid), eq(paymentClaims.kind, kind)));
}

interface EventFields {
  payment?: IamportPayment;
  decision: Decision;
  detail?: string;
}

type Executor = Pick<Drizzle, "insert">;

async function recordEvent(db: Executor, input: VerifyInput, fields: EventFields): Promise<void> {
  await db.insert(paymentEvents).values({
    source: input.source,
    impUid: input.impUid,
    namedMerchantUid: input.merchantUid ?? null,
    merchantUid: fields.payment?.merchant_uid ?? null,
    iamportStatus: fields.payment?.status ?? null,
    decision: fields.decision,
    detail: fields.detail ?? null,
    payment: fields.payment ?? null,
  });
}
