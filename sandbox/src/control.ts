/**
 * The control API for tests and the demo: create payments as if a shopper had paid, deposit into
 * virtual accounts, refund from the "admin console", move the clock, change the answer shape,
 * set up named scenarios, inject faults, read what the sandbox saw and sent, reset. Answers are
 * plain JSON; errors our `{ status: "error" }` shape.
 */
import { formatZodError, type Payment } from "@iamport-pay/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { amountProblem } from "./amount.js";
import { cancelPayment } from "./cancel.js";
import { controlGuard } from "./control-guard.js";
import { controlError } from "./envelope.js";
import { FaultRequest } from "./faults.js";
import { MERCHANT_UID_MAX } from "./merchant-uid.js";
import { PAYMENT_SHAPES, type PaymentShape } from "./options.js";
import { vbankExpired } from "./rest-vbanks.js";
import { runScenario, SCENARIO_NAMES, ScenarioRequest, scenarioSummaries } from "./scenarios.js";
import type { SandboxState } from "./state.js";
import { webhookTargetProblem } from "./webhook-target.js";

const optionalText = z.string().max(1000).optional();

export const ControlPaymentRequest = z.object({
  merchant_uid: z.string().min(1).max(MERCHANT_UID_MAX),
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
  notice_url: z.union([z.string(), z.array(z.string())]).optional(),
  /** false: a live-channel payment, readable without include_sandbox. */
  sandbox: z.boolean().default(true),
});

export const ControlCancelRequest = z.object({
  amount: z.number().positive().optional(),
  reason: optionalText,
});

const SettingsRequest = z
  .object({
    payment_shape: z.enum(PAYMENT_SHAPES as [PaymentShape, ...PaymentShape[]]).optional(),
    shape_seed: z.number().int().optional(),
    redirect_merchant_uid_only: z.boolean().optional(),
  })
  .strict();

const ClockRequest = z
  .object({
    advance_seconds: z
      .number()
      .int()
      .positive()
      .max(10 * 365 * 86_400),
  })
  .strict();

/** The fields a console shows: no buyer contact details, card numbers or browser strings. */
export function consoleView(payment: Payment) {
  return {
    imp_uid: payment.imp_uid,
    merchant_uid: payment.merchant_uid,
    name: payment.name,
    status: payment.status,
    amount: payment.amount,
    cancel_amount: payment.cancel_amount,
    currency: payment.currency,
    pay_method: payment.pay_method,
    pg_provider: payment.pg_provider,
    sandbox: payment.sandbox ?? true,
    vbank_date: payment.vbank_date,
    started_at: payment.started_at,
    paid_at: payment.paid_at,
    failed_at: payment.failed_at,
    cancelled_at: payment.cancelled_at,
  };
}

export async function jsonBody<T extends z.ZodType>(
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

/** Why these notice URLs are refused, or null. */
export function noticeUrlProblem(state: SandboxState, urls: string | string[] | undefined) {
  for (const url of urls === undefined ? [] : [urls].flat()) {
    const problem = webhookTargetProblem(url, state.options.noticeUrl);
    if (problem) return problem;
  }
  return null;
}

export function createControlRoutes(state: SandboxState): Hono {
  const control = new Hono();
  const { store } = state;
  control.use("/control/*", controlGuard);

  control.get("/control/payments", (c) =>
    c.json([...store.payments.values()].map((s) => consoleView(s.payment))),
  );

  control.post("/control/payments", async (c) => {
    const body = await jsonBody(c, ControlPaymentRequest);
    if (!body.ok) return body.response;
    const { notice_url, status, ...rest } = body.data;
    const problem =
      amountProblem(rest.amount, rest.currency ?? "KRW") ?? noticeUrlProblem(state, notice_url);
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
    if (vbankExpired(stored.payment, now)) {
      return controlError(c, 409, "vbank_expired", "The virtual account's deadline has passed.");
    }
    const paid: Payment = {
      ...stored.payment,
      status: "paid",
      paid_at: now,
      receipt_url: `https://sandbox.iamport.invalid/receipts/${stored.payment.imp_uid}`,
    };
    state.update(stored, paid);
    state.notify(stored);
    return c.json(consoleView(paid));
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
    state.update(stored, outcome.payment);
    // Console refunds always notify (docs/iamport-notes.md, "Webhooks").
    state.notify(stored, outcome.cancellationId);
    return c.json(consoleView(outcome.payment));
  });

  control.get("/control/settings", (c) => c.json(settingsView(state)));
  control.put("/control/settings", async (c) => {
    const body = await jsonBody(c, SettingsRequest);
    if (!body.ok) return body.response;
    const { payment_shape, shape_seed, redirect_merchant_uid_only } = body.data;
    if (payment_shape !== undefined) state.settings.paymentShape = payment_shape;
    if (shape_seed !== undefined) state.settings.shapeSeed = shape_seed;
    if (redirect_merchant_uid_only !== undefined) {
      state.settings.redirectMerchantUidOnly = redirect_merchant_uid_only;
    }
    return c.json(settingsView(state));
  });

  control.get("/control/clock", (c) => c.json({ now: state.nowSeconds() }));
  control.post("/control/clock", async (c) => {
    const body = await jsonBody(c, ClockRequest);
    if (!body.ok) return body.response;
    state.advanceClock(body.data.advance_seconds);
    return c.json({ now: state.nowSeconds() });
  });

  control.get("/control/scenarios", (c) => c.json(scenarioSummaries()));
  control.post("/control/scenarios/:name", async (c) => {
    const name = c.req.param("name");
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      return controlError(
        c,
        404,
        "unknown_scenario",
        `No scenario ${name}; see GET /control/scenarios.`,
      );
    }
    const body = await jsonBody(c, ScenarioRequest);
    if (!body.ok) return body.response;
    const problem =
      amountProblem(body.data.amount, body.data.currency ?? "KRW") ??
      noticeUrlProblem(state, body.data.notice_url);
    if (problem) return controlError(c, 400, "bad_request", problem);
    const result = runScenario(state, name as (typeof SCENARIO_NAMES)[number], body.data);
    return c.json(
      { scenario: name, payments: result.payments.map(consoleView), sends: result.sends },
      201,
    );
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

function settingsView(state: SandboxState) {
  return {
    payment_shape: state.settings.paymentShape,
    shape_seed: state.settings.shapeSeed,
    redirect_merchant_uid_only: state.settings.redirectMerchantUidOnly,
  };
}
