/**
 * One payment from click to verdict, with no DOM: order → SDK → `request_pay` → server verify.
 * Every outcome comes from our server's verdict, never from the SDK's callback alone (a page's
 * script can be altered at will). Once Iamport approved, the flow only ever confirms: it retries
 * the server until it answers, and never tells the shopper to pay again.
 */
import type {
  Buyer,
  CartItem,
  OrderView,
  PayFailureCode,
  PayFailureDetail,
  PayStartDetail,
  PaySuccessDetail,
  PayVbankIssuedDetail,
  RequestPayParam,
  RequestPayResponse,
} from "@iamport-pay/shared";
import { isCurrency, toIamportAmount } from "@iamport-pay/shared/money";
import { isRequestPayFailure } from "@iamport-pay/shared/request-pay";
import type { Iamport } from "./iamport-sdk.js";
import { type ServerApi, ServerApiError } from "./server-api.js";
import type { Strings } from "./strings.js";

export type PayResult =
  | { type: "success"; detail: PaySuccessDetail }
  | { type: "vbank-issued"; detail: PayVbankIssuedDetail }
  | { type: "failure"; detail: PayFailureDetail };

export interface PayInput {
  items: CartItem[];
  buyer: Buyer;
  pg?: string | undefined;
  payMethod?: string | undefined;
  /** Overrides of `/config`; when both are set `/config` is not asked. */
  impCode?: string | undefined;
  sdkUrl?: string | undefined;
  lang: "ko" | "en";
  /** Whether to hand Iamport an `m_redirect_url` (mobile browsers, or `redirect="always"`). */
  redirect: boolean;
  /** `redirect="auto"`: an expired click activation may switch to the redirect flow. */
  redirectFallback: boolean;
  /** The page to come back to after a mobile redirect. */
  returnUrl: string;
  strings: Strings;
}

/** Time, injected so tests can drive minutes of retries without waiting for them. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A payment between `request_pay` and the server's verdict, kept across reloads. */
export interface PendingPayment {
  merchant_uid: string;
  imp_uid?: string | undefined;
  /** Iamport approved (or a redirect came back): only confirmation is left. */
  approved: boolean;
}

export interface ConfirmDeps {
  api: ServerApi;
  clock: Clock;
  /** Aborting stops confirming at once; the result is then `payment_unconfirmed`. */
  signal?: AbortSignal | undefined;
}

export interface PayDeps extends ConfirmDeps {
  loadSdk(url: string): Promise<Iamport>;
  requestPay(imp: Iamport, impCode: string, param: RequestPayParam): Promise<RequestPayResponse>;
  onStart(detail: PayStartDetail): void;
  /** Stores the payment (sessionStorage) before Iamport opens and again once approved. */
  remember(pending: PendingPayment): void;
  /** Iamport approved: the element says "confirming". */
  onConfirming(): void;
  /** Whether the click that started this payment has lost its user activation since. */
  activationExpired(): boolean;
  /** Asks the shopper for one more click (a fresh activation); resolves on it. */
  askToContinue(): Promise<void>;
}

/**
 * Iamport's wording when the shopper closes the payment window. UNCONFIRMED: Iamport documents
 * no error_code for it; PGs answer with messages containing "사용자가 결제를 취소", and the
 * sandbox (sandbox/README.md) follows that, so the wording is what we match.
 */
const SHOPPER_CANCEL =
  /사용자가 결제를 취소|결제를 취소하셨습니다|결제포기|user cancel|cancelled by (the )?user/i;

/** `rsp` failed: the shopper closed the window, or the PG refused. */
export function sdkFailureCode(rsp: {
  error_code?: string | null | undefined;
  error_msg?: string | null | undefined;
}): PayFailureCode {
  return SHOPPER_CANCEL.test(`${rsp.error_code ?? ""} ${rsp.error_msg ?? ""}`)
    ? "shopper_cancelled"
    : "pg_declined";
}

export const failure = (
  t: Strings,
  code: PayFailureCode,
  ids: { merchant_uid?: string | undefined; imp_uid?: string | null | undefined } = {},
): PayResult => {
  const detail: PayFailureDetail = { code, message: t.failure[code] };
  if (ids.merchant_uid) detail.merchant_uid = ids.merchant_uid;
  if (ids.imp_uid) detail.imp_uid = ids.imp_uid;
  return { type: "failure", detail };
};

/** The failure a server call before any payment ends in (a retry is safe: nothing was paid). */
function serverFailure(t: Strings, error: unknown, merchant_uid?: string): PayResult {
  const e = error instanceof ServerApiError ? error : undefined;
  const code =
    e?.code === "origin_not_allowed"
      ? "origin_not_allowed"
      : e?.kind === "network"
        ? "network_error"
        : e?.kind === "rejected"
          ? "order_rejected"
          : "server_error";
  return failure(t, code, { merchant_uid });
}

/** The verified order's state as a result; undefined while it is still pending. */
export function orderResult(t: Strings, order: OrderView): PayResult | undefined {
  const ids = { merchant_uid: order.merchant_uid, imp_uid: order.imp_uid ?? "" };
  if (order.status === "paid") return { type: "success", detail: { ...ids, order } };
  if (order.status === "ready" && order.vbank) {
    return { type: "vbank-issued", detail: { ...ids, order, vbank: order.vbank } };
  }
  if (order.status === "forged") return failure(t, "forgery", ids);
  if (order.status === "failed")
    return failure(t, sdkFailureCode({ error_msg: order.reason }), ids);
  if (order.status === "cancelled") return failure(t, "payment_failed", ids);
  return undefined;
}

/** Retries after a failed confirmation: about 1, 2, 4, 8 s, then every 10 s. */
const RETRY_MS = [1000, 2000, 4000, 8000];
export const RETRY_EVERY_MS = 10_000;
/** Confirmation keeps trying at least this long before `payment_unconfirmed`. */
export const CONFIRM_FOR_MS = 120_000;

/**
 * After an approval (or a redirect back): asks the server for its verdict until it gives one.
 * With an `imp_uid` it is `POST /payments/complete` (which settles the order from Iamport);
 * without, `GET /orders/:merchant_uid` (settled by the webhook or the server's reconciliation).
 * Network errors, 5xx and "still pending" are retried; the bound, an abort or a refusal (4xx)
 * end in `payment_unconfirmed`, never in an invitation to pay again.
 */
export async function confirmPayment(
  deps: ConfirmDeps,
  t: Strings,
  merchant_uid: string,
  imp_uid?: string,
): Promise<PayResult> {
  const { api, clock, signal } = deps;
  const ids = { merchant_uid, imp_uid };
  const started = clock.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      if (imp_uid) {
        const answer = await api.complete({ imp_uid, merchant_uid });
        if (answer.status === "forgery") return failure(t, "forgery", ids);
        const result = orderResult(t, answer.order);
        if (result) return result;
      } else {
        const result = orderResult(t, await api.order(merchant_uid));
        if (result) return result;
      }
    } catch (error) {
      if (error instanceof ServerApiError && error.kind === "rejected") {
        return failure(
          t,
          error.code === "origin_not_allowed" ? "origin_not_allowed" : "payment_unconfirmed",
          ids,
        );
      }
    }
    const left = started + CONFIRM_FOR_MS - clock.now();
    if (left <= 0 || signal?.aborted) return failure(t, "payment_unconfirmed", ids);
    await clock.sleep(Math.min(RETRY_MS[attempt] ?? RETRY_EVERY_MS, left), signal);
    if (signal?.aborted) return failure(t, "payment_unconfirmed", ids);
  }
}

export async function runPayment(deps: PayDeps, input: PayInput): Promise<PayResult> {
  const { api } = deps;
  const t = input.strings;

  let impCode = input.impCode;
  let sdkUrl = input.sdkUrl;
  let pg = input.pg;
  if (!impCode || !sdkUrl) {
    try {
      const config = await api.config();
      impCode ||= config.impCode;
      sdkUrl ||= config.sdkUrl;
      pg ||= config.pg;
    } catch (error) {
      return serverFailure(t, error);
    }
  }

  let order: Awaited<ReturnType<ServerApi["createOrder"]>>;
  try {
    const body: Parameters<ServerApi["createOrder"]>[0] = { items: input.items };
    if (Object.keys(input.buyer).length > 0) body.buyer = input.buyer;
    if (input.pg) body.pg = input.pg;
    if (input.payMethod) body.pay_method = input.payMethod;
    order = await api.createOrder(body);
  } catch (error) {
    return serverFailure(t, error);
  }
  const { merchant_uid } = order;
  if (!isCurrency(order.currency)) return failure(t, "server_error", { merchant_uid });

  let imp: Iamport;
  try {
    imp = await deps.loadSdk(sdkUrl);
  } catch {
    return failure(t, "sdk_load_failed", { merchant_uid });
  }

  const param: RequestPayParam = {
    merchant_uid,
    name: order.name,
    amount: toIamportAmount(order.amount, order.currency),
    currency: order.currency,
    language: input.lang,
  };
  if (pg) param.pg = pg;
  if (input.payMethod) param.pay_method = input.payMethod;
  // buyer.name → buyer_name, …: the element passes only the fields that are set.
  for (const [field, value] of Object.entries(input.buyer)) {
    (param as unknown as Record<string, string>)[`buyer_${field}`] = value;
  }

  // A slow order can outlive the click's activation (about 5 s in Chromium); a popup-based PG
  // window opened now would be blocked. Redirect instead, or ask for one more click.
  let redirect = input.redirect;
  if (!redirect && deps.activationExpired()) {
    if (input.redirectFallback) redirect = true;
    else await deps.askToContinue();
  }
  if (redirect) {
    const back = new URL(api.url("payments/complete/mobile"));
    back.searchParams.set("return", input.returnUrl);
    param.m_redirect_url = back.href;
  }

  deps.onStart({ merchant_uid, amount: order.amount, currency: order.currency, name: order.name });
  deps.remember({ merchant_uid, approved: false });

  let rsp: RequestPayResponse;
  try {
    rsp = await deps.requestPay(imp, impCode, param);
  } catch {
    return failure(t, "payment_failed", { merchant_uid });
  }
  const imp_uid = rsp.imp_uid || undefined;

  // Anything but a failure (either style) is an approval, with or without `imp_uid`.
  if (isRequestPayFailure(rsp)) {
    const sdkSays = failure(t, sdkFailureCode(rsp), { merchant_uid, imp_uid });
    if (!imp_uid) return sdkSays;
    // A failed rsp with an imp_uid (a closed window leaves a failed payment too) is still a
    // payment Iamport knows: let the server record it, and trust its verdict if it says
    // otherwise (a failed payment can later turn paid). One try: nothing was approved.
    try {
      const answer = await api.complete({ imp_uid, merchant_uid });
      const verdict = answer.status === "forgery" ? undefined : orderResult(t, answer.order);
      return verdict && verdict.type !== "failure" ? verdict : sdkSays;
    } catch {
      return sdkSays;
    }
  }

  deps.remember({ merchant_uid, imp_uid, approved: true });
  deps.onConfirming();
  return confirmPayment(deps, t, merchant_uid, imp_uid);
}
