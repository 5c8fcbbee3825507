/** `POST /orders` (price a cart, store a pending order) and `GET /orders/:merchant_uid`. */
import { randomBytes } from "node:crypto";
import {
  CreateOrderRequest,
  type CreateOrderResponse,
  isCurrency,
  toIamportAmount,
} from "@iamport-pay/shared";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { PricedOrder } from "../catalog.js";
import type { Db } from "../db/open.js";
import { orders } from "../db/schema.js";
import { AppError } from "../errors.js";
import { type IamportClient, IamportUnavailableError } from "../iamport-client.js";
import type { Logger } from "../logger.js";
import { toOrderView } from "../order-view.js";
import { jsonBody } from "../validate.js";

export type PriceOrder = (request: CreateOrderRequest) => PricedOrder | Promise<PricedOrder>;

export interface OrdersRoutesOptions {
  db: Db;
  priceOrder: PriceOrder;
  iamport: IamportClient;
  /** Register each amount with Iamport's /payments/prepare (PREPARE). */
  prepare: boolean;
  log: Logger;
}

/**
 * 128 random bits: the id is the capability to read the order, so it must not be guessable.
 * 36 characters; Iamport's length limit for merchant_uid is UNCONFIRMED (we stay under 40).
 */
export function newMerchantUid(): string {
  return `ord_${randomBytes(16).toString("hex")}`;
}

const MerchantUidParam = /^[A-Za-z0-9._:-]{1,200}$/;

export function ordersRoutes(options: OrdersRoutesOptions): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const request = await jsonBody(c, CreateOrderRequest);
    const priced = await options.priceOrder(request);
    if (
      !Number.isSafeInteger(priced.amount) ||
      priced.amount <= 0 ||
      !isCurrency(priced.currency)
    ) {
      throw new AppError(422, "order_rejected", "The order could not be priced");
    }
    const merchantUid = newMerchantUid();

    if (options.prepare) {
      // Before storing: a failed prepare leaves nothing behind.
      try {
        await options.iamport.preparePayment({
          merchant_uid: merchantUid,
          amount: toIamportAmount(priced.amount, priced.currency),
        });
      } catch (error) {
        options.log("warn", "prepare failed", {
          merchant_uid: merchantUid,
          error: (error as Error).message,
        });
        if (error instanceof IamportUnavailableError) {
          throw new AppError(503, "iamport_unavailable", "Iamport is unavailable; try again later");
        }
        throw new AppError(502, "iamport_error", "Iamport refused to register the amount");
      }
    }

    await options.db.drizzle.insert(orders).values({
      merchantUid,
      name: priced.name,
      amount: priced.amount,
      currency: priced.currency,
      items: priced.items,
      pg: request.pg ?? null,
      payMethod: request.pay_method ?? null,
      buyerName: request.buyer?.name ?? null,
      buyerEmail: request.buyer?.email ?? null,
      buyerTel: request.buyer?.tel ?? null,
      buyerAddr: request.buyer?.addr ?? null,
      buyerPostcode: request.buyer?.postcode ?? null,
    });
    const body: CreateOrderResponse = {
      merchant_uid: merchantUid,
      name: priced.name,
      amount: priced.amount,
      currency: priced.currency,
      status: "pending",
    };
    return c.json(body, 201);
  });

  app.get("/:merchant_uid", async (c) => {
    const merchantUid = c.req.param("merchant_uid");
    if (!MerchantUidParam.test(merchantUid))
      throw new AppError(404, "order_not_found", "No such order");
    const [row] = await options.db.drizzle
      .select()
      .from(orders)
      .where(eq(orders.merchantUid, merchantUid));
    if (row === undefined) throw new AppError(404, "order_not_found", "No such order");
    return c.json(toOrderView(row));
  });

  return app;
}
