/**
 * Iamport's REST API (the routes our server and public clients use), with its envelope, HTTP
 * statuses, token rules and refusals. Business refusals answer HTTP 200 with a non-zero `code`,
 * as Iamport does (docs/iamport-notes.md).
 */
import { formatZodError, PrepareRequest, TokenRequest } from "@iamport-pay/shared";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { amountProblem } from "./amount.js";
import { cancelPayment } from "./cancel.js";
import { SandboxCancelRequest } from "./cancel-request.js";
import { fail, IAMPORT_ERROR, IAMPORT_REFUSED, ok } from "./envelope.js";
import { MERCHANT_UID_MAX, MERCHANT_UID_TOO_LONG } from "./merchant-uid.js";
import { BodyError, readBody } from "./read-body.js";
import { createLookupRoutes } from "./rest-lookups.js";
import { createVbankRoutes } from "./rest-vbanks.js";
import type { SandboxState } from "./state.js";
import { tokenFromHeaders } from "./tokens.js";

async function bodyOrError(c: Context): Promise<Record<string, unknown> | Response> {
  try {
    return await readBody(c);
  } catch (error) {
    if (error instanceof BodyError) return fail(c, 400, IAMPORT_ERROR, error.message);
    throw error;
  }
}

/** A prepare body (JSON or form), parsed, or the error answer to send. */
async function readPrepare(c: Context): Promise<PrepareRequest | Response> {
  const body = await bodyOrError(c);
  if (body instanceof Response) return body;
  const parsed = PrepareRequest.safeParse(body);
  if (!parsed.success) return fail(c, 400, IAMPORT_ERROR, formatZodError(parsed.error));
  if (parsed.data.merchant_uid.length > MERCHANT_UID_MAX) {
    return fail(c, 400, IAMPORT_ERROR, MERCHANT_UID_TOO_LONG);
  }
  return parsed.data;
}

export function createRestRoutes(state: SandboxState): Hono {
  const rest = new Hono();
  const { store, faults } = state;

  const requireToken: MiddlewareHandler = async function requireToken(c, next) {
    const token = tokenFromHeaders({
      authorization: c.req.header("authorization"),
      impTokenHeader: c.req.header("x-imptokenheader"),
    });
    if (token === undefined) {
      // UNCONFIRMED: Iamport's exact wording for a missing or bad token.
      return fail(c, 401, IAMPORT_ERROR, "Unauthorized: 인증 토큰이 전달되지 않았습니다.");
    }
    if (!state.tokens.isValid(token)) {
      return fail(c, 401, IAMPORT_ERROR, "Unauthorized: 유효하지 않거나 만료된 토큰입니다.");
    }
    return next();
  };

  rest.use("/users/*", state.calls.middleware());
  // "/payments/*" covers the bare "/payments" (the multi-id list) too.
  rest.use("/payments/*", state.calls.middleware());
  rest.use("/vbanks/*", state.calls.middleware());

  rest.post("/users/getToken", faults.middleware("token"), async (c) => {
    const body = await bodyOrError(c);
    if (body instanceof Response) return body;
    const parsed = TokenRequest.safeParse(body);
    if (!parsed.success) {
      return fail(c, 401, IAMPORT_ERROR, "imp_key, imp_secret 파라미터가 누락되었습니다.");
    }
    const { impKey, impSecret } = state.options;
    if (parsed.data.imp_key !== impKey || parsed.data.imp_secret !== impSecret) {
      return fail(c, 401, IAMPORT_ERROR, "imp_key 또는 imp_secret 이 올바르지 않습니다.");
    }
    return ok(c, state.tokens.issue());
  });

  rest.use("/payments/*", requireToken);
  rest.use("/vbanks/*", requireToken);

  rest.post("/payments/prepare", faults.middleware("prepare"), async (c) => {
    const parsed = await readPrepare(c);
    if (parsed instanceof Response) return parsed;
    const { merchant_uid, amount, currency } = parsed;
    const problem = amountProblem(amount, currency ?? "KRW");
    if (problem) return fail(c, 400, IAMPORT_ERROR, problem);
    // UNCONFIRMED: registering a merchant_uid twice is refused (PUT changes it).
    if (store.prepared.has(merchant_uid)) {
      return fail(
        c,
        200,
        IAMPORT_REFUSED,
        "이미 사전등록된 merchant_uid 입니다. PUT /payments/prepare 로 변경하세요.",
      );
    }
    const prepared = { merchant_uid, amount, currency: currency ?? "KRW" };
    store.prepared.set(merchant_uid, prepared);
    return ok(c, prepared);
  });

  rest.put("/payments/prepare", faults.middleware("prepare"), async (c) => {
    const parsed = await readPrepare(c);
    if (parsed instanceof Response) return parsed;
    const { merchant_uid, amount, currency } = parsed;
    const problem = amountProblem(amount, currency ?? "KRW");
    if (problem) return fail(c, 400, IAMPORT_ERROR, problem);
    const existing = store.prepared.get(merchant_uid);
    if (!existing) {
      return fail(
        c,
        404,
        IAMPORT_REFUSED,
        "요청된 merchant_uid 로 등록된 결제사전정보가 없습니다.",
      );
    }
    const prepared = { merchant_uid, amount, currency: currency ?? existing.currency ?? "KRW" };
    store.prepared.set(merchant_uid, prepared);
    return ok(c, prepared);
  });

  rest.get("/payments/prepare/:merchant_uid", faults.middleware("prepare"), (c) => {
    const prepared = store.prepared.get(c.req.param("merchant_uid"));
    // UNCONFIRMED: the OpenAPI lists no 404 here; we answer 404 as for other unknown ids.
    if (!prepared) return fail(c, 404, IAMPORT_REFUSED, "사전등록된 결제정보가 없습니다.");
    return ok(c, prepared);
  });

  rest.post("/payments/cancel", faults.middleware("cancel"), async (c) => {
    const body = await bodyOrError(c);
    if (body instanceof Response) return body;
    const parsed = SandboxCancelRequest.safeParse(body);
    if (!parsed.success) return fail(c, 400, IAMPORT_ERROR, formatZodError(parsed.error));
    const input = parsed.data;
    // imp_uid wins when both are given, as Iamport documents.
    const stored =
      input.imp_uid !== undefined
        ? store.payments.get(input.imp_uid)
        : store.findByMerchantUid(input.merchant_uid ?? "");
    if (!stored) return fail(c, 200, IAMPORT_REFUSED, "취소할 결제건이 존재하지 않습니다.");
    const problem =
      input.amount === undefined || input.amount === 0
        ? null
        : amountProblem(input.amount, stored.payment.currency);
    if (problem) return fail(c, 200, IAMPORT_REFUSED, problem);
    const outcome = cancelPayment(stored.payment, input, state.nowSeconds());
    if (!outcome.ok) return fail(c, 200, IAMPORT_REFUSED, outcome.message);
    state.update(stored, outcome.payment);
    // API cancels notify only when asked (OpenAPI: enable_webhook, default false).
    if (input.enable_webhook === true) state.notify(stored, outcome.cancellationId);
    return ok(c, state.present(outcome.payment));
  });

  rest.route("/", createLookupRoutes(state));
  rest.route("/", createVbankRoutes(state));

  return rest;
}
