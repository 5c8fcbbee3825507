/**
 * The admin API's reads: the order list (filters, search, keyset pagination) and one order with
 * every Iamport payment seen for it and its payment_events timeline.
 */
import {
  type AdminEvent,
  type AdminOrderQuery,
  type AdminPayment,
  fromIamportAmount,
  type IamportPayment,
  isCurrency,
} from "@iamport-pay/shared";
import type { Db } from "../db/open.js";
import { rowMapper } from "../db/rows.js";
import { type OrderRow, orders, type PaymentEventRow, paymentEvents } from "../db/schema.js";
import { badRequest } from "../errors.js";

const toOrderRow = rowMapper<OrderRow>(orders);
const toEventRow = rowMapper<PaymentEventRow>(paymentEvents);

/**
 * The cursor is the last row's (created_at, merchant_uid) as PostgreSQL prints them, so the
 * timestamp keeps its microseconds (a JavaScript Date would drop them and skip or repeat rows).
 * Pages follow `(created_at, merchant_uid) < cursor`: orders inserted meanwhile are newer and
 * land before page one, so paging on neither skips nor repeats an order.
 */
function encodeCursor(createdKey: string, merchantUid: string): string {
  return Buffer.from(JSON.stringify([createdKey, merchantUid]), "utf8").toString("base64url");
}

/** `created_at::text` as PostgreSQL prints it: 2026-11-30 04:37:10.123456+00 */
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      PG_TIMESTAMP.test(value[0])
    ) {
      return [value[0], value[1]];
    }
  } catch {}
  throw badRequest("cursor: not a cursor this API gave out");
}

/**
 * The least string above every string that starts with `prefix`, in code point order (UTF-8's
 * byte order, which text_pattern_ops compares in), or undefined when there is none.
 */
export function afterPrefix(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) {
      // Surrogates are not characters: the next code point after U+D7FF is U+E000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join("") + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * What `q` finds (docs/admin.md), as conditions on `orders o`, each a range on its own index
 * (schema.ts) so a search reads its matches and never the whole table: merchant_uid starting
 * with q (as typed); the exact imp_uid of the order's payment or of any payment seen for it;
 * buyer e-mail or name starting with q (letters compared in lower case); a phone number ending in
 * q's digits.
 */
function searchMatches(q: string, param: (value: unknown) => string): string[] {
  const prefix = (column: string, text: string) => {
    const above = afterPrefix(text);
    return `${column} ~>=~ ${param(text)}::text${above === undefined ? "" : ` and ${column} ~<~ ${param(above)}::text`}`;
  };
  const exact = param(q);
  const lower = q.toLowerCase();
  const matches = [
    prefix("o.merchant_uid", q),
    `o.imp_uid = ${exact}::text`,
    // Any payment seen for the order (by the payment's own merchant_uid), not only its own.
    `o.merchant_uid in (select e.merchant_uid from payment_events e
      where e.imp_uid = ${exact}::text and e.merchant_uid is not null)`,
    `o.buyer_email is not null and ${prefix("lower(o.buyer_email)", lower)}`,
    `o.buyer_name is not null and ${prefix("lower(o.buyer_name)", lower)}`,
  ];
  // Phone numbers are written many ways (010-1234-5678, 01012345678): compare the last digits,
  // the way a shop asks "the last four digits of your number?".
  const digits = q.replace(/\D/g, "");
  if (digits.length >= 4 && /^[0-9+\-() ]+$/.test(q)) {
    const reversed = [...digits].reverse().join("");
    matches.push(
      `o.buyer_tel is not null and ${prefix(
        "reverse(regexp_replace(o.buyer_tel, '[^0-9]', '', 'g'))",
        reversed,
      )}`,
    );
  }
  return matches;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date without a time is a whole UTC day: `created_to=2026-11-30` includes that day. */
function bound(value: string, end: boolean): { at: string; inclusive: boolean } {
  if (!DATE_ONLY.test(value)) return { at: new Date(value).toISOString(), inclusive: true };
  const day = new Date(`${value}T00:00:00Z`);
  if (end) day.setUTCDate(day.getUTCDate() + 1);
  return { at: day.toISOString(), inclusive: !end };
}

export async function listOrders(
  db: Db,
  query: AdminOrderQuery,
): Promise<{ rows: OrderRow[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };

  if (query.status) where.push(`o.status = any(${param(query.status)}::text[])`);
  if (query.created_from) {
    const b = bound(query.created_from, false);
    where.push(`o.created_at >= ${param(b.at)}::timestamptz`);
  }
  if (query.created_to) {
    const b = bound(query.created_to, true);
    where.push(`o.created_at ${b.inclusive ? "<=" : "<"} ${param(b.at)}::timestamptz`);
  }
  if (query.cursor) {
    const [createdKey, merchantUid] = decodeCursor(query.cursor);
    where.push(
      `(o.created_at, o.merchant_uid) < (${param(createdKey)}::timestamptz, ${param(merchantUid)}::text)`,
    );
  }
  const limit = `${param(query.limit + 1)}::int`;
  const order = "order by o.created_at desc, o.merchant_uid desc";

  const q = query.q?.trim();
  // A search is one branch per kind of match, each read through its own index with the other
  // filters, then the page, then its rows. Written this way so that a generic plan (prepared
  // statements reuse one after a few runs, knowing no parameter's value) cannot join the matches
  // to a sequential scan of orders.
  const sql = q
    ? `select o.*, o.created_at::text as created_key from (
        ${searchMatches(q, param)
          .map(
            (match) =>
              `select o.merchant_uid, o.created_at from orders o where ${[match, ...where].join(" and ")}`,
          )
          .join(" union ")}
        order by created_at desc, merchant_uid desc limit ${limit}
      ) page join orders o on o.merchant_uid = page.merchant_uid
      ${order}`
    : `select o.*, o.created_at::text as created_key from orders o
      ${where.length ? `where ${where.join(" and ")}` : ""}
      ${order} limit ${limit}`;
  const raw = await db.query(sql, params);
  const page = raw.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    raw.length > query.limit && last
      ? encodeCursor(String(last.created_key), String(last.merchant_uid))
      : null;
  return { rows: page.map(toOrderRow), nextCursor };
}

export async function selectOrderEvents(db: Db, merchantUid: string): Promise<PaymentEventRow[]> {
  const raw = await db.query(
    `select * from payment_events
      where merchant_uid = $1::text or named_merchant_uid = $1::text
      order by id`,
    [merchantUid],
  );
  return raw.map(toEventRow);
}

const toIso = (seconds: number | null | undefined) =>
  seconds && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;

function minor(amount: number | undefined, currency: string): number | null {
  if (amount === undefined || !isCurrency(currency)) return null;
  return fromIamportAmount(amount, currency);
}

function toAdminPayment(
  payment: IamportPayment,
  seenAt: Date,
  orderImpUid: string | null,
): AdminPayment {
  return {
    imp_uid: payment.imp_uid,
    is_order_payment: payment.imp_uid === orderImpUid,
    status: payment.status,
    amount: minor(payment.amount, payment.currency),
    cancel_amount: minor(payment.cancel_amount, payment.currency),
    currency: payment.currency,
    pay_method: payment.pay_method ?? null,
    pg_provider: payment.pg_provider ?? null,
    paid_at: toIso(payment.paid_at),
    cancelled_at: toIso(payment.cancelled_at),
    vbank_name: payment.vbank_name ?? null,
    vbank_num: payment.vbank_num ?? null,
    receipt_url: payment.receipt_url ?? null,
    seen_at: seenAt.toISOString(),
  };
}

/**
 * Every payment Iamport told us about for this order (by the payment's own merchant_uid), each
 * as last read: the order's own, and any forged or duplicate ones.
 */
export function paymentsOf(order: OrderRow, events: readonly PaymentEventRow[]): AdminPayment[] {
  const latest = new Map<string, { payment: IamportPayment; at: Date }>();
  for (const event of events) {
    if (event.payment && event.payment.merchant_uid === order.merchantUid) {
      latest.set(event.payment.imp_uid, { payment: event.payment, at: event.createdAt });
    }
  }
  if (order.payment && !latest.has(order.payment.imp_uid)) {
    latest.set(order.payment.imp_uid, { payment: order.payment, at: order.updatedAt });
  }
  return [...latest.values()].map(({ payment, at }) => toAdminPayment(payment, at, order.impUid));
}

export function toAdminEvent(event: PaymentEventRow): AdminEvent {
  return {
    id: event.id,
    source: event.source,
    imp_uid: event.impUid,
    iamport_status: event.iamportStatus,
    decision: event.decision,
    detail: event.detail,
    created_at: event.createdAt.toISOString(),
  };
}

/** The last payment object read from Iamport with this imp_uid, if any. */
export async function lastSeenPayment(db: Db, impUid: string): Promise<IamportPayment | undefined> {
  const [raw] = await db.query(
    `select * from payment_events where imp_uid = $1::text and payment is not null
      order by id desc limit 1`,
    [impUid],
  );
  return raw === undefined ? undefined : (toEventRow(raw).payment ?? undefined);
}
