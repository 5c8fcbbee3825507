/**
 * One payment from click to verdict, with no DOM: order → SDK → `request_pay` → server verify.
 * Every outcome comes from our server's verdict, never from the SDK's callback alone (a page's
 * script can be altered at will; docs/iamport-notes.md, "Forgery").
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
import type { Iamport } from "./iamport-sdk.js";
import { type CompleteAnswer, type ServerApi, ServerApiError } from "./server-api.js";
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
  /** The page to come back to after a mobile redirect. */
  returnUrl: string;
  strings: Strings;
}

export interface PayDeps {
  api: ServerApi;
  loadSdk(url: string): Promise<Iamport>;
  requestPay(imp: Iamport, impCode: string, param: RequestPayParam): Promise<RequestPayResponse>;
  onStart(detail: PayStartDetail): void;
}

/**
 * Iamport's wording when the shopper closes the payment window. UNCONFIRMED: Iamport documents
 * no error_code for it; PGs answer with messages containing "사용자가 결제를 취소", and the
 * sandbox (sandbox/README-notes.md) follows that, so the wording is what we match.
 */
const SHOPPER_CANCEL =
  /사용자가 결제를 취소|결제를 취소하셨습니다|user cancel|cancelled by (the )?user/i;

/** `rsp` failed: the shopper closed the window, or the PG refused. */
export function sdkFailureCode(rsp: {
  error_code?: string | null | undefined;
  error_msg?: string | null | undefined;
}): PayFailureCode {
  return SHOPPER_CANCEL.test(`${rsp.error_code ?? ""} ${rsp.error_msg ?? ""}`)
    ? "shopper_cancelled"
    : "pg_declined";
}

/** Failure in both `rsp` styles: old `success: false`, new `v1/iamport.js` `error_code` only. */
function isFailure(rsp: RequestPayResponse): boolean {
  return rsp.success === false || (rsp.error_code != null && rsp.error_code !== "");
}

export const failure = (
  t: Strings,
  code: PayFailureCode,
  ids: { merchant_uid?: string | undefined; imp_uid?: string | null | undefined } = {},
  message = t.failure[code],
): PayResult => {
  const detail: PayFailureDetail = { code, message };
  if (ids.merchant_uid) detail.merchant_uid = ids.merchant_uid;
  if (ids.imp_uid) detail.imp_uid = ids.imp_uid;
  return { type: "failure", detail };
};

/** The failure a server call ends in. */
function serverFailure(t: Strings, error: unknown, merchant_uid?: string): PayResult {
  const kind = error instanceof ServerApiError ? error.kind : "server";
  const code =
    kind === "network" ? "network_error" : kind === "rejected" ? "order_rejected" : "server_error";
  return failure(t, code, { merchant_uid });
}

/** The verified order's state as the element's events (widget/README.md). */
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

function verdictResult(t: Strings, answer: CompleteAnswer, merchant_uid: string, imp_uid: string) {
  if (answer.status === "forgery") return failure(t, "forgery", { merchant_uid, imp_uid });
  const result = orderResult(t, answer.order);
  if (result) return result;
  return failure(t, "payment_failed", { merchant_uid, imp_uid }, t.pending);
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

  deps.onStart({ merchant_uid, amount: order.amount, currency: order.currency, name: order.name });

  const param: RequestPayParam = {
    merchant_uid,
    name: order.name,
    amount: toIamportAmount(order.amount, order.currency),
    currency: order.currency,
    language: input.lang,
  };
  if (pg) param.pg = pg;
  if (input.payMethod) param.pay_method = input.payMethod;
  const { name, email, tel, addr, postcode } = input.buyer;
  if (name) param.buyer_name = name;
  if (email) param.buyer_email = email;
  if (tel) param.buyer_tel = tel;
  if (addr) param.buyer_addr = addr;
  if (postcode) param.buyer_postcode = postcode;
  if (input.redirect) {
    const back = new URL(api.url("payments/complete/mobile"));
    back.searchParams.set("return", input.returnUrl);
    param.m_redirect_url = back.href;
  }

  let rsp: RequestPayResponse;
  try {
    rsp = await deps.requestPay(imp, impCode, param);
  } catch {
    return failure(t, "payment_failed", { merchant_uid });
  }
  const imp_uid = rsp.imp_uid ?? undefined;

  if (isFailure(rsp) || !imp_uid) {
    const sdkSays = failure(t, sdkFailureCode(rsp), { merchant_uid, imp_uid }, undefined);
    if (!imp_uid) return sdkSays;
    // A failed rsp with an imp_uid is still a payment Iamport knows: let the server record it,
    // and trust its verdict if it says otherwise (a failed payment can later turn paid).
    try {
      const verdict = verdictResult(
        t,
        await api.complete({ imp_uid, merchant_uid }),
        merchant_uid,
        imp_uid,
      );
      return verdict.type === "failure" ? sdkSays : verdict;
    } catch {
      return sdkSays;
    }
  }

  try {
    return verdictResult(t, await api.complete({ imp_uid, merchant_uid }), merchant_uid, imp_uid);
  } catch (error) {
    const result = serverFailure(t, error, merchant_uid);
    // A 4xx here is not the cart's fault; only /orders can reject an order.
    if (result.type === "failure" && result.detail.code === "order_rejected") {
      return failure(t, "server_error", { merchant_uid, imp_uid });
    }
    if (result.type === "failure") result.detail.imp_uid = imp_uid;
    return result;
  }
}
