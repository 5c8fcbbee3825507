/**
 * The merchant's hooks and what they are told, beside the outbox that makes them durable
 * (hook-outbox.ts), so neither the outbox nor the statements that owe hooks import verify.ts.
 */
import type { IamportPayment, OrderView } from "@iamport-pay/shared";

/** Who asked: `admin` is an operator's tool re-reading a payment after its own cancel. */
export type VerifySource = "client" | "webhook" | "mobile" | "reconcile" | "admin";

export interface HookEvent {
  order: OrderView;
  payment: IamportPayment;
  source: VerifySource;
}

/** What onRefundRequired is told: a payment we must refund but cannot alone. */
export interface RefundRequiredEvent extends HookEvent {
  /** Why it must go back: it did not match its order, or the order was already paid. */
  kind: "forgery" | "duplicate";
  /** What is left to refund, in minor units (null when the currency is not one we convert). */
  amount: number | null;
  currency: string;
}

/**
 * Called after the transaction commits, once per transition; at least once across crashes (the
 * outbox, hook-outbox.ts). A throwing hook is logged only.
 */
export interface Hooks {
  onPaid?(event: HookEvent): unknown;
  onVbankIssued?(event: HookEvent): unknown;
  /**
   * Once per refund that grows `order.cancel_amount` (the amount refunded so far): a partial
   * refund leaves the order `paid`, a full one makes it `cancelled`.
   */
  onCancelled?(event: HookEvent): unknown;
  /** The payment did not match its order; `cancelled` says whether we cancelled it. */
  onForgery?(event: HookEvent & { cancelled: boolean }): unknown;
  /** A second payment for an already paid order; it was refunded. */
  onDuplicate?(event: HookEvent): unknown;
  /**
   * A forged or duplicate payment that Iamport cannot refund without the shopper's bank account
   * (a deposited virtual account): stored in refunds_required; refund it with the account
   * details, then mark it resolved.
   */
  onRefundRequired?(event: RefundRequiredEvent): unknown;
}
