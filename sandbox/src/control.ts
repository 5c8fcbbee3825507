/**
 * The control API for tests and the demo: create payments as if a shopper had paid,
 * deposit into virtual accounts, refund from the "admin console", inject faults, read what the
 * sandbox saw and sent, reset. Answers are plain JSON; errors our `{ status: "error" }` shape.
 */
import { formatZodError } from "@iamport-pay/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { amountProblem } from "./amount.js";
import { cancelPayment } from "./cancel.js";
import { controlError } from "./envelope.js";
import { FaultRequest } from "./faults.js";
import type { SandboxState } from "./state.js";

const optionalText = z.string().max(1000).optional();

export const ControlPaymentRequest = z.object({
  merchant_uid: z.string().min(1).max(200),
  amount: z.number().positive(),
  name: optionalText,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  pay_method: z
    .string()
    .regex(/^[a-z_]+$/)
    .optional(),
  pg: optionalText,
  status: z.enum(["paid", "ready", "failed"]).default("paid"),
  channel: z.enum(["pc", "mobile", "api"]).optional(),
  buyer_name: optionalText,
  buyer_email: optionalText,
  buyer_tel: optionalText,
  buyer_addr: optionalText,
  buyer_postcode: optionalText,
  custom_data: optionalText,
  notice_url: z.union([z.url(), z.array(z.url())]).optional(),
});

export const ControlCancelRequest = z.object({
  amount: z.number().positive().optional(),
  reason: optionalText,
});

async function jsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  let raw: unknown = {};
  const text = await c.req.text();
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      return {
        ok: false,
        response: controlError(c, 400, "bad_request", "The body is not valid JSON."),
      };
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      response: controlError(c, 400, "bad_request", formatZodError(parsed.error)),
    };
  }
  return { ok: true, data: parsed.data };
}

export function createControlRoutes(state: SandboxState): Hono {
  const control = new Hono();
  const { store } = state;

  control.get("/control/payments", (c) =>
    c.json([...store.payments.values()].map((s) => s.payment)),
  );

  control.post("/control/payments", async (c) => {
    const body = await jsonBody(c, ControlPaymentRequest);
    if (!body.ok) return body.response;
    const { notice_url, status, ...rest } = body.data;
    const problem = amountProblem(rest.amount, rest.currency ?? "KRW");
    if (problem) return controlError(c, 400, "bad_request", problem);
    // A virtual account is what `ready` means; anything else defaults to a card.
    const pay_method = rest.pay_method ?? (status === "ready" ? "vbank" : "card");
    if (status === "ready" && pay_method !== "vbank") {
      return controlError(
        c,
        400,
        "bad_request",
        "status ready is a virtual account: pay_method must be vbank.",
      );
    }
    const stored = state.addPayment(
      { ...rest, pay_method, status, channel: rest.channel ?? "api" },
      notice_url,
    );
    return c.json(stored.payment, 201);
  });

  control.post("/control/payments/:imp_uid/deposit", (c) => {
    const stored = store.payments.get(c.req.param("imp_uid"));
    if (!stored) return controlError(c, 404, "payment_not_found", "No such imp_uid.");
    if (stored.payment.pay_method !== "vbank" || stored.payment.status !== "ready") {
      return controlError(
        c,
        409,
        "not_awaiting_deposit",
        "Only a virtual account in status ready takes a deposit.",
      );
    }
    const now = state.nowSeconds();
    stored.payment = {
      ...stored.payment,
      status: "paid",
      paid_at: now,
      receipt_url: `https://sandbox.iamport.invalid/receipts/${stored.payment.imp_uid}`,
    };
    state.notify(stored);
    return c.json(stored.payment);
  });

  control.post("/control/payments/:imp_uid/cancel", async (c) => {
    const body = await jsonBody(c, ControlCancelRequest);
    if (!body.ok) return body.response;
    const stored = store.payments.get(c.req.param("imp_uid"));
    if (!stored) return controlError(c, 404, "payment_not_found", "No such imp_uid.");
    // The console refunds a virtual account by its own means: no shopper account is asked for.
    const refund =
      stored.payment.pay_method === "vbank"
        ? { refund_holder: "console", refund_bank: "004", refund_account: "console" }
        : {};
    const outcome = cancelPayment(stored.payment, { ...body.data, ...refund }, state.nowSeconds());
    if (!outcome.ok) return controlError(c, 409, "cancel_refused", outcome.message);
    stored.payment = outcome.payment;
    // Console refunds always notify (docs/iamport-notes.md, "Webhooks").
    state.notify(stored, outcome.cancellationId);
    return c.json(stored.payment);
  });

  control.post("/control/faults", async (c) => {
    const body = await jsonBody(c, FaultRequest);
    if (!body.ok) return body.response;
    state.faults.add(body.data);
    return c.json(state.faults.list(), 201);
  });
  control.get("/control/faults", (c) => c.json(state.faults.list()));
  control.delete("/control/faults", (c) => {
    state.faults.clear();
    return c.json([]);
  });

  control.get("/control/webhooks", (c) => c.json(state.webhooks.attempts()));
  control.get("/control/calls", (c) => c.json(state.calls.list()));
  control.post("/control/reset", (c) => {
    state.reset();
    return c.json({ status: "ok" });
  });

  return control;
}
