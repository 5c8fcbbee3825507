/**
 * The three doors into verifyPayment: `POST /payments/complete` (the widget),
 * `POST /iamport-webhook` (Iamport) and `GET /payments/complete/mobile` (the shopper's browser
 * after a redirect payment). None of them takes a status or an amount from its caller.
 */
import {
  CompleteRequest,
  type CompleteResponse,
  MobileReturnQuery,
  WebhookBody,
} from "@iamport-pay/shared";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { Db } from "../db/open.js";
import { orders } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import { completeStatusOf } from "../order-view.js";
import { jsonBody, jsonOrFormBody, queryOf } from "../validate.js";
import { type VerifyDeps, verifyPayment } from "../verify.js";
import { mobileResultPage } from "./mobile-page.js";

export interface PaymentRoutesOptions {
  verifyDeps: Omit<VerifyDeps, "log">;
  db: Db;
  /** Origins `return` may point at; computed per request when the server's own origin is meant. */
  allowedOrigins: (requestUrl: string) => string[];
  /** Linked from the result page shown when the shopper cannot be sent back. */
  shopUrl?: string | undefined;
}

type Env = { Variables: { log: Logger } };

export function paymentRoutes(options: PaymentRoutesOptions): Hono<Env> {
  const app = new Hono<Env>();
  const deps = (log: Logger): VerifyDeps => ({ ...options.verifyDeps, log });

  app.post("/payments/complete", async (c) => {
    const body = await jsonBody(c, CompleteRequest);
    const result = await verifyPayment(deps(c.get("log")), {
      source: "client",
      impUid: body.imp_uid,
      merchantUid: body.merchant_uid,
    });
    const answer: CompleteResponse = result;
    return c.json(answer, result.status === "forgery" ? 400 : 200);
  });

  app.post("/iamport-webhook", async (c) => {
    const body = await jsonOrFormBody(c, WebhookBody);
    try {
      const result = await verifyPayment(deps(c.get("log")), {
        source: "webhook",
        impUid: body.imp_uid,
      });
      return c.json({ status: "ok", result: result.status });
    } catch (error) {
      // Not ours, or unknown to Iamport: a retry cannot help, and Iamport's console test
      // button must see success. Outages (502/503) do answer non-2xx so a retry can settle it.
      if (
        error instanceof AppError &&
        (error.code === "order_not_found" || error.code === "payment_not_found")
      ) {
        return c.json({ status: "ignored", reason: error.code });
      }
      throw error;
    }
  });

  app.get("/payments/complete/mobile", async (c) => {
    let query: MobileReturnQuery;
    try {
      query = queryOf(c, MobileReturnQuery);
    } catch {
      return c.html(mobileResultPage("error", options.shopUrl), 400);
    }
    let outcome: string;
    try {
      // Without imp_uid (the V1 guide's own redirect example carries only merchant_uid), the
      // order's latest payment is found through Iamport and verified the same way.
      const result = await verifyPayment(deps(c.get("log")), {
        source: "mobile",
        merchantUid: query.merchant_uid,
        ...(query.imp_uid === undefined ? {} : { impUid: query.imp_uid }),
      });
      outcome = result.status;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome = "error";
      if (query.imp_uid === undefined && error.code === "payment_not_found") {
        // No payment was made (the shopper closed the window): report the order as it stands.
        const [row] = await options.db.drizzle
          .select()
          .from(orders)
          .where(eq(orders.merchantUid, query.merchant_uid));
        if (row) outcome = completeStatusOf(row);
      }
    }

    const target = allowedReturn(query.return, c.req.url, options.allowedOrigins(c.req.url));
    if (target === undefined) {
      return c.html(
        mobileResultPage(outcome, options.shopUrl),
        query.return === undefined ? 200 : 400,
      );
    }
    target.searchParams.set("merchant_uid", query.merchant_uid);
    target.searchParams.set("iamport_pay", outcome);
    // Handed on so the page can tell "shopper closed" from "declined" (see the sandbox's notes).
    if (query.error_code) target.searchParams.set("error_code", query.error_code);
    if (query.error_msg) target.searchParams.set("error_msg", query.error_msg);
    if (query.imp_uid) target.searchParams.set("imp_uid", query.imp_uid);
    return c.redirect(target.toString(), 303);
  });

  return app;
}

/** The `return` URL when its origin is allowed; never an open redirect. */
export function allowedReturn(
  value: string | undefined,
  requestUrl: string,
  allowed: readonly string[],
): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value, requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password) return undefined;
  return allowed.includes(url.origin) ? url : undefined;
}
