/**
 * Our server's HTTP API as the widget uses it. No zod here (it would double the bundle): each
 * answer is checked by hand for the few fields the widget acts on.
 */
import type {
  CompleteRequest,
  CompleteResponse,
  ConfigResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  OrderView,
} from "@iamport-pay/shared";

/**
 * Why a call failed: `rejected` the server refused the request (4xx), `server` it answered 5xx
 * or something unreadable, `network` it could not be reached or did not answer in time.
 */
export type ServerFailure = "rejected" | "server" | "network";

export class ServerApiError extends Error {
  override name = "ServerApiError";
  constructor(
    readonly kind: ServerFailure,
    message: string,
    /** The `code` of our `{ status: "error", code, message }` body, when there was one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** `/payments/complete` says `400 { status: "forgery" }`: a verdict, not an error. */
export type CompleteAnswer = CompleteResponse | { status: "forgery"; message: string };

export interface ServerApi {
  config(): Promise<ConfigResponse>;
  createOrder(body: CreateOrderRequest): Promise<CreateOrderResponse>;
  complete(body: CompleteRequest): Promise<CompleteAnswer>;
  order(merchantUid: string): Promise<OrderView>;
  /** Absolute URL of one of the server's paths (for `m_redirect_url`). */
  url(path: string): string;
}

export interface ServerApiOptions {
  fetch?: typeof fetch;
  /** Give up on a call after this long: a hung server must not leave the button busy forever. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
const isString = (value: unknown): value is string => typeof value === "string";

export function isOrderView(value: unknown): value is OrderView {
  return (
    isObject(value) &&
    isString(value.merchant_uid) &&
    isString(value.status) &&
    Number.isSafeInteger(value.amount) &&
    isString(value.currency)
  );
}

const checks = {
  config: (v: Json) => isString(v.impCode) && isString(v.sdkUrl),
  order: (v: Json) =>
    isString(v.merchant_uid) && Number.isSafeInteger(v.amount) && isString(v.currency),
  complete: (v: Json) => isString(v.status) && (v.status === "forgery" || isOrderView(v.order)),
};

export function createServerApi(server: string, options: ServerApiOptions = {}): ServerApi {
  const base = new URL(`${server.replace(/\/+$/, "")}/`, document.baseURI);
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const url = (path: string) => new URL(path.replace(/^\//, ""), base).href;

  async function call(
    path: string,
    check: (v: Json) => boolean,
    body?: unknown,
    acceptStatus?: number,
  ): Promise<Json> {
    let response: Response;
    let answer: unknown;
    try {
      response = await doFetch(url(path), {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ServerApiError("network", `${path}: ${error}`);
    }
    const ok = response.ok || response.status === acceptStatus;
    if (ok && isObject(answer) && check(answer)) return answer;
    const code = isObject(answer) && isString(answer.code) ? answer.code : undefined;
    const kind = response.status >= 400 && response.status < 500 ? "rejected" : "server";
    throw new ServerApiError(kind, `${path}: ${response.status}`, code);
  }

  return {
    url,
    config: async () => (await call("config", checks.config)) as unknown as ConfigResponse,
    createOrder: async (body) =>
      (await call("orders", checks.order, body)) as unknown as CreateOrderResponse,
    complete: async (body) =>
      (await call("payments/complete", checks.complete, body, 400)) as unknown as CompleteAnswer,
    order: async (merchantUid) => {
      const answer = await call(`orders/${encodeURIComponent(merchantUid)}`, isOrderView);
      return answer as unknown as OrderView;
    },
  };
}
