/**
 * `/admin`: the merchant's side (orders, refunds, sync) behind ADMIN_TOKEN, and the console page
 * that uses it. Mounted by createApp only when a token is configured: without one, every /admin
 * path is the ordinary 404. The console's files are public (they hold nothing); every API route
 * needs the token.
 */
import {
  type AdminOrderDetail,
  type AdminOrderList,
  AdminOrderQuery,
  AdminRefundRequest,
} from "@iamport-pay/shared";
import { Hono } from "hono";
import { toAdminOrder } from "../admin/admin-order.js";
import { adminAuth } from "../admin/auth.js";
import { consoleFileRoutes } from "../admin/console-files.js";
import { claimKey, fingerprintOf, IdempotencyKeyPattern } from "../admin/idempotency.js";
import { listOrders, paymentsOf, selectOrderEvents, toAdminEvent } from "../admin/order-queries.js";
import { refundOrder } from "../admin/refund.js";
import { listRefundsRequired } from "../admin/refunds-required.js";
import { syncOrder } from "../admin/sync.js";
import { AppError, badRequest } from "../errors.js";
import type { Logger } from "../logger.js";
import { selectOrder } from "../order-statements.js";
import { jsonBody, queryOf } from "../validate.js";
import type { VerifyDeps } from "../verify.js";

export interface AdminRoutesOptions {
  /** ADMIN_TOKEN: every API call must carry it as a Bearer token. */
  token: string;
  verify: VerifyDeps;
  log: Logger;
  /** How long a refund may hold its order (default 2 minutes). */
  refundLeaseMs?: number;
  /** Counts each cancel asked of Iamport: `ok` or `failed` (metrics). */
  countRefund?(outcome: "ok" | "failed"): void;
  /** Where the console's files live (default admin-console/ beside this package's src). */
  consoleDir?: URL;
}

const MerchantUidParam = /^[A-Za-z0-9._:-]{1,200}$/;

function merchantUidOf(value: string): string {
  if (!MerchantUidParam.test(value)) throw badRequest("merchant_uid: not an order id");
  return value;
}

export function adminRoutes(options: AdminRoutesOptions): Hono {
  const { db } = options.verify;
  const app = new Hono();

  app.route("/", consoleFileRoutes(options.consoleDir));

  const api = new Hono();
  api.use(adminAuth({ token: options.token, log: options.log }));
  api.use(async function noStore(c, next) {
    await next();
    // Buyer details and refunds: nothing here belongs in a shared cache or the browser's disk.
    c.header("cache-control", "no-store");
  });

  api.get("/orders", async (c) => {
    const query = queryOf(c, AdminOrderQuery);
    const { rows, nextCursor } = await listOrders(db, query);
    const body: AdminOrderList = { orders: rows.map(toAdminOrder), next_cursor: nextCursor };
    return c.json(body);
  });

  api.get("/orders/:merchant_uid", async (c) => {
    const merchantUid = merchantUidOf(c.req.param("merchant_uid"));
    const row = await selectOrder(db, merchantUid);
    if (row === undefined) throw new AppError(404, "order_not_found", "No such order");
    const events = await selectOrderEvents(db, merchantUid);
    const body: AdminOrderDetail = {
      order: toAdminOrder(row),
      payments: paymentsOf(row, events),
      events: events.map(toAdminEvent),
    };
    return c.json(body);
  });

  api.post("/orders/:merchant_uid/refund", async (c) => {
    const merchantUid = merchantUidOf(c.req.param("merchant_uid"));
    const key = c.req.header("idempotency-key");
    if (key !== undefined && !IdempotencyKeyPattern.test(key)) {
      throw badRequest("Idempotency-Key: 1 to 255 visible ASCII characters");
    }
    const request = await jsonBody(c, AdminRefundRequest);
    const refund = () =>
      refundOrder(
        {
          verify: options.verify,
          ...(options.refundLeaseMs !== undefined ? { leaseMs: options.refundLeaseMs } : {}),
          ...(options.countRefund ? { countRefund: options.countRefund } : {}),
        },
        merchantUid,
        request,
      );
    if (key === undefined) return c.json(await refund());

    const claimed = await claimKey(db, key, fingerprintOf(["refund", merchantUid, request]));
    if (claimed.kind === "replay") {
      c.header("idempotent-replayed", "true");
      return c.json(claimed.body as object, claimed.status as 200);
    }
    let answer: Awaited<ReturnType<typeof refund>>;
    try {
      answer = await refund();
    } catch (error) {
      await claimed.abandon().catch(() => {});
      throw error;
    }
    await claimed.finish(200, answer);
    return c.json(answer);
  });

  api.post("/orders/:merchant_uid/sync", async (c) => {
    const merchantUid = merchantUidOf(c.req.param("merchant_uid"));
    return c.json(await syncOrder({ verify: options.verify }, merchantUid));
  });

  api.get("/refunds-required", async (c) => {
    return c.json({ refunds_required: await listRefundsRequired(db) });
  });

  app.route("/", api);
  return app;
}
