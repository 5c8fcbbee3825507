/**
 * The database schema: the source of truth for drizzle-kit's SQL migrations in ./migrations
 * (`pnpm --filter @iamport-pay/server db:generate` after a change, and commit the result).
 */
import type { IamportPayment } from "@iamport-pay/shared";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

export const orderStatuses = [
  "pending",
  "ready",
  "paid",
  "failed",
  "cancelled",
  "forged",
  "expired",
] as const;

export interface StoredItem {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price in minor units. */
  amount: number;
}

export interface StoredVbank {
  bank_code: string | null;
  bank_name: string | null;
  number: string;
  holder: string | null;
  due: string | null;
}

// Amounts are bigint (mode number): an integer in minor units that may pass 2^31 in KRW.
export const orders = pgTable(
  "orders",
  {
    merchantUid: text("merchant_uid").primaryKey(),
    name: text("name").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    items: jsonb("items").$type<StoredItem[]>().notNull(),
    status: text("status", { enum: orderStatuses }).notNull().default("pending"),
    impUid: text("imp_uid").unique(),
    payMethod: text("pay_method"),
    pg: text("pg"),
    cancelAmount: bigint("cancel_amount", { mode: "number" }).notNull().default(0),
    vbank: jsonb("vbank").$type<StoredVbank>(),
    reason: text("reason"),
    payment: jsonb("payment").$type<IamportPayment>(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    buyerName: text("buyer_name"),
    buyerEmail: text("buyer_email"),
    buyerTel: text("buyer_tel"),
    buyerAddr: text("buyer_addr"),
    buyerPostcode: text("buyer_postcode"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Reconciliation's schedule (reconcile.ts): the order is due for a look-up once
     * RECONCILE_GRACE_MS has passed since this moment. Each look-up that changes nothing moves
     * it further (exponential backoff, capped); a transition resets it; 'infinity' retires the
     * order (too old to be asked about).
     */
    nextCheckAt: timestamp("next_check_at", { withTimezone: true }).notNull().defaultNow(),
    /** Consecutive look-ups that changed nothing: the backoff's exponent. */
    lookupMisses: integer("lookup_misses").notNull().default(0),
  },
  (t) => [
    index("orders_status_idx").on(t.status),
    // Only unsettled orders, by when they are due: a round reads the due ones and never scans
    // the settled or retired (next_check_at 'infinity') rest.
    index("orders_due_idx")
      .on(t.nextCheckAt)
      .where(sql`${t.status} in ('pending', 'ready', 'failed')`),
    // The admin list (newest first, read backwards) and its keyset: a page reads its rows only.
    index("orders_created_idx").on(t.createdAt, t.merchantUid),
    // The admin search (order-queries.ts): each kind of match is a range on one of these, in
    // byte order (text_pattern_ops, whatever the database's collation), so a search reads its
    // matches only. Prefix matches, not substrings: a btree serves those on PostgreSQL and
    // PGlite alike, without an extension.
    index("orders_merchant_uid_prefix_idx").on(t.merchantUid.op("text_pattern_ops")),
    index("orders_buyer_email_prefix_idx")
      .on(sql`lower(${t.buyerEmail}) text_pattern_ops`)
      .where(sql`${t.buyerEmail} is not null`),
    index("orders_buyer_name_prefix_idx")
      .on(sql`lower(${t.buyerName}) text_pattern_ops`)
      .where(sql`${t.buyerName} is not null`),
    // A phone number's digits, reversed: "ends with these digits" becomes a prefix.
    index("orders_buyer_tel_suffix_idx")
      .on(sql`reverse(regexp_replace(${t.buyerTel}, '[^0-9]', '', 'g')) text_pattern_ops`)
      .where(sql`${t.buyerTel} is not null`),
  ],
);

/** Append-only: every verify call, what Iamport said and what we decided. */
export const paymentEvents = pgTable(
  "payment_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    source: text("source", {
      enum: ["client", "webhook", "mobile", "reconcile", "admin"],
    }).notNull(),
    impUid: text("imp_uid").notNull(),
    /** The order the caller named (may differ from the payment's own). */
    namedMerchantUid: text("named_merchant_uid"),
    /** The payment's own merchant_uid, as Iamport reported it. */
    merchantUid: text("merchant_uid"),
    iamportStatus: text("iamport_status"),
    decision: text("decision").notNull(),
    detail: text("detail"),
    payment: jsonb("payment").$type<IamportPayment>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("payment_events_merchant_uid_idx").on(t.merchantUid),
    // An order's timeline also lists calls that named it (admin detail); any payment seen, by
    // imp_uid (admin search, refunds, sync).
    index("payment_events_named_merchant_uid_idx").on(t.namedMerchantUid),
    index("payment_events_imp_uid_idx").on(t.impUid),
    // The few events that can leave a shopper's money with the shop (admin refunds-required).
    index("payment_events_refund_candidates_idx")
      .on(t.impUid)
      .where(
        sql`${t.decision} in ('duplicate', 'forged', 'forgery_again', 'forgery_cancel_failed')`,
      ),
  ],
);

/**
 * Money that must go back but that we cannot send back alone: a forged or duplicate payment
 * Iamport refused to cancel because the refund needs the shopper's bank account (a deposited
 * virtual account). One row per payment; resolved by the operator once refunded (with the
 * account details through Iamport, or outside it), who sets `resolved_at` and `resolution`.
 */
export const refundsRequired = pgTable(
  "refunds_required",
  {
    impUid: text("imp_uid").primaryKey(),
    merchantUid: text("merchant_uid").notNull(),
    kind: text("kind", { enum: ["forgery", "duplicate"] }).notNull(),
    /** What is left to refund, in minor units; null when the currency is not one we convert. */
    amount: bigint("amount", { mode: "number" }),
    currency: text("currency").notNull(),
    /** Iamport's answer to the cancel, why it was refused. */
    reason: text("reason"),
    payment: jsonb("payment").$type<IamportPayment>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** How it was settled, in the operator's words (e.g. "refunded to 004 123-456 on 12-01"). */
    resolution: text("resolution"),
  },
  (t) => [
    index("refunds_required_open_idx").on(t.createdAt).where(sql`${t.resolvedAt} is null`),
    index("refunds_required_merchant_uid_idx").on(t.merchantUid),
  ],
);

/**
 * A payment we cancelled on our own initiative (forgery, duplicate). The primary key makes the
 * cancel happen once even when many verify calls for the same payment race.
 */
export const paymentClaims = pgTable(
  "payment_claims",
  {
    impUid: text("imp_uid").notNull(),
    kind: text("kind", {
      enum: ["forgery", "forgery_cancel", "duplicate", "refund_required"],
    }).notNull(),
    merchantUid: text("merchant_uid").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.impUid, t.kind] })],
);

/**
 * The transactional outbox: one row per hook call owed, written in the same statement as the
 * transition (or claim) that owes it, already leased to its writer (`claimed_until`). The writer
 * calls the hook after the commit and deletes the row; a row whose writer died is leased again
 * and delivered by the sweeper (hook-outbox.ts) once `claimed_until` has passed.
 */
export const hookOutbox = pgTable(
  "hook_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    hook: text("hook", {
      enum: [
        "onPaid",
        "onVbankIssued",
        "onCancelled",
        "onForgery",
        "onDuplicate",
        "onRefundRequired",
      ],
    }).notNull(),
    /** `{ order, payment, source, cancelled? }`; `order` is the orders row as json (snake_case). */
    event: jsonb("event").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }).notNull(),
  },
  (t) => [index("hook_outbox_claimed_until_idx").on(t.claimedUntil)],
);

/** The catalog as loaded at start (CATALOG), for reports and other tools. */
export const products = pgTable("products", {
  sku: text("sku").primaryKey(),
  name: text("name").notNull(),
  amount: bigint("amount", { mode: "number" }).notNull(),
  currency: text("currency").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type OrderRow = typeof orders.$inferSelect;
export type PaymentEventRow = typeof paymentEvents.$inferSelect;
export type RefundRequiredRow = typeof refundsRequired.$inferSelect;

/**
 * The admin API's `Idempotency-Key`s: the first request's fingerprint and, once it succeeded,
 * its answer, replayed for 24 hours. A row without an answer is a request still running.
 */
export const adminIdempotencyKeys = pgTable("admin_idempotency_keys", {
  key: text("key").primaryKey(),
  /** sha256 of the route, the order and the body: the same key with another request is refused. */
  fingerprint: text("fingerprint").notNull(),
  responseStatus: bigint("response_status", { mode: "number" }),
  responseBody: jsonb("response_body"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One admin operation on an order at a time, across processes: a lease row rather than a
 * transaction or a session lock, because the operation waits on Iamport in between (PGlite has a
 * single connection) and a crashed holder must not keep the order locked beyond `lease_until`.
 */
export const adminOrderLocks = pgTable("admin_order_locks", {
  merchantUid: text("merchant_uid").primaryKey(),
  holder: text("holder").notNull(),
  leaseUntil: timestamp("lease_until", { withTimezone: true }).notNull(),
});
