/**
 * Iamport's payment lookups: by imp_uid, by several imp_uids, by order (latest or all), by
 * status (paged). Test-channel payments (`sandbox: true`) are left out unless the caller sends
 * `include_sandbox=true` (the OpenAPI document lists it on `GET /payments/{imp_uid}`; UNCONFIRMED
 * that the find and list routes filter the same way).
 */
import { PaymentStatus } from "@iamport-pay/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { fail, IAMPORT_ERROR, IAMPORT_REFUSED, ok } from "./envelope.js";
import { queryPayments, Sorting, visible } from "./payment-query.js";
import type { SandboxState } from "./state.js";
import type { StoredPayment } from "./store.js";
import { unknownRoute } from "./unknown-route.js";

const NOT_FOUND = "존재하지 않는 결제정보입니다.";
const BAD_STATUS = "payment_status 는 ready, paid, cancelled, failed 중 하나입니다.";

/** `page` from 1 and `limit` up to 1000 (default 20), as the OpenAPI document gives them. */
const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(20),
});
const TimeRange = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
});

/** Path segments under /payments/ that are routes, never imp_uids. */
const ROUTE_WORDS = new Set([
  "find",
  "findAll",
  "status",
  "prepare",
  "cancel",
  "schedule",
  "onetime",
  "again",
]);

function includeSandbox(c: Context): boolean {
  return c.req.query("include_sandbox") === "true";
}

function sortingOf(c: Context) {
  return Sorting.safeParse(c.req.query("sorting") ?? undefined);
}

/** The timestamp `GET /payments/status` filters by: the time the payment reached its status. */
function statusTime(stored: StoredPayment): number {
  const p = stored.payment;
  if (p.status === "paid") return p.paid_at;
  if (p.status === "cancelled") return p.cancelled_at;
  if (p.status === "failed") return p.failed_at;
  return p.started_at;
}

export function createLookupRoutes(state: SandboxState): Hono {
  const routes = new Hono();
  const { store, faults } = state;
  const payments = () => store.payments.values();

  function paged(c: Context, found: StoredPayment[], page: number, limit: number) {
    const pages = Math.max(1, Math.ceil(found.length / limit));
    if (page > pages)
      return fail(c, 400, IAMPORT_ERROR, `page ${page} 는 조회 범위를 벗어났습니다.`);
    return ok(c, {
      total: found.length,
      previous: page > 1 ? page - 1 : 0,
      next: page < pages ? page + 1 : 0,
      list: found.slice((page - 1) * limit, page * limit).map((s) => state.present(s.payment)),
    });
  }

  routes.get(
    "/payments/find/:merchant_uid/:payment_status?",
    faults.middleware("payments"),
    (c) => {
      const status = c.req.param("payment_status");
      if (status !== undefined && !PaymentStatus.safeParse(status).success) {
        return fail(c, 400, IAMPORT_ERROR, BAD_STATUS);
      }
      const sorting = sortingOf(c);
      if (!sorting.success) return fail(c, 400, IAMPORT_ERROR, "sorting 값이 올바르지 않습니다.");
      const [found] = queryPayments(
        payments(),
        { merchantUid: c.req.param("merchant_uid"), status, includeSandbox: includeSandbox(c) },
        sorting.data,
      );
      if (!found) return fail(c, 404, IAMPORT_REFUSED, NOT_FOUND);
      return ok(c, state.present(found.payment));
    },
  );

  routes.get(
    "/payments/findAll/:merchant_uid/:payment_status?",
    faults.middleware("payments"),
    (c) => {
      const status = c.req.param("payment_status");
      if (status !== undefined && !PaymentStatus.safeParse(status).success) {
        return fail(c, 400, IAMPORT_ERROR, BAD_STATUS);
      }
      const sorting = sortingOf(c);
      const paging = Paging.safeParse(c.req.query());
      if (!sorting.success || !paging.success) {
        return fail(c, 400, IAMPORT_ERROR, "page, limit 또는 sorting 값이 올바르지 않습니다.");
      }
      const found = queryPayments(
        payments(),
        { merchantUid: c.req.param("merchant_uid"), status, includeSandbox: includeSandbox(c) },
        sorting.data,
      );
      if (found.length === 0) return fail(c, 404, IAMPORT_REFUSED, NOT_FOUND);
      return paged(c, found, paging.data.page, paging.data.limit);
    },
  );

  routes.get("/payments/status/:payment_status", faults.middleware("payments"), (c) => {
    const status = c.req.param("payment_status");
    if (status !== "all" && !PaymentStatus.safeParse(status).success) {
      return fail(
        c,
        400,
        IAMPORT_ERROR,
        "payment_status 는 all, ready, paid, cancelled, failed 중 하나입니다.",
      );
    }
    const sorting = sortingOf(c);
    const paging = Paging.safeParse(c.req.query());
    const range = TimeRange.safeParse(c.req.query());
    if (!sorting.success || !paging.success || !range.success) {
      return fail(
        c,
        400,
        IAMPORT_ERROR,
        "page, limit, from, to 또는 sorting 값이 올바르지 않습니다.",
      );
    }
    // Defaults from the OpenAPI document: to = now, from = 90 days before `to`.
    const to = range.data.to ?? state.nowSeconds();
    const from = range.data.from ?? to - 90 * 24 * 3600;
    const found = queryPayments(
      payments(),
      { status: status === "all" ? undefined : status, includeSandbox: includeSandbox(c) },
      sorting.data,
    ).filter((s) => statusTime(s) >= from && statusTime(s) <= to);
    return paged(c, found, paging.data.page, paging.data.limit);
  });

  routes.get("/payments/:imp_uid", faults.middleware("payments"), (c) => {
    const impUid = c.req.param("imp_uid");
    if (ROUTE_WORDS.has(impUid)) return unknownRoute(c);
    const stored = store.payments.get(impUid);
    if (!stored || !visible(stored, includeSandbox(c))) {
      return fail(c, 404, IAMPORT_REFUSED, NOT_FOUND);
    }
    return ok(c, state.present(stored.payment));
  });

  // `GET /payments?imp_uid[]=…&merchant_uid[]=…`: 207 with what was found when some are unknown.
  routes.get("/payments", faults.middleware("payments"), (c) => {
    const impUids = [...(c.req.queries("imp_uid[]") ?? []), ...(c.req.queries("imp_uid") ?? [])];
    const merchantUids = c.req.queries("merchant_uid[]") ?? [];
    if (impUids.length === 0 && merchantUids.length === 0) {
      return fail(c, 400, IAMPORT_ERROR, "imp_uid[] 또는 merchant_uid[] 파라미터가 필요합니다.");
    }
    const include = includeSandbox(c);
    const found: StoredPayment[] = [];
    let missing = 0;
    for (const impUid of impUids) {
      const stored = store.payments.get(impUid);
      if (stored && visible(stored, include)) found.push(stored);
      else missing++;
    }
    for (const merchantUid of merchantUids) {
      const [latest] = queryPayments(
        payments(),
        { merchantUid, includeSandbox: include },
        "-started",
      );
      if (latest) found.push(latest);
      else missing++;
    }
    if (found.length === 0) return fail(c, 404, IAMPORT_REFUSED, NOT_FOUND);
    const list = found.map((s) => state.present(s.payment));
    if (missing === 0) return ok(c, list);
    // UNCONFIRMED: the partial answer's message; the OpenAPI document gives only the 207.
    return c.json(
      { code: 0, message: `${missing}건의 결제정보를 조회하지 못했습니다.`, response: list },
      207,
    );
  });

  return routes;
}
