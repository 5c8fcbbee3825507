/**
 * A small Iamport V1 REST client: one access token shared by every call, answers parsed with
 * shared's schemas. The transport (`fetch`) is injected so tests and the sandbox can swap it.
 *
 * Policy, one reason per rule:
 * - every call has a timeout (AbortSignal): a hung Iamport must not hang our requests;
 * - the token is fetched once for all concurrent callers, and renewed a minute before its
 *   expiry, measured on Iamport's own clock (`now`/`expired_at`), so clock skew does not matter;
 * - a 401 renews the token once and retries: Iamport refused the request, so repeating it is safe;
 * - a GET is retried once on a network error or a 5xx: reading twice is harmless;
 * - a cancel or prepare is never retried blindly: the first may have gone through.
 *
 * Payments are read tolerantly (shared's `IamportPayment`): real answers of earlier years lack
 * fields added since, and only what a decision needs is required.
 */
import {
  type CancelRequest,
  type IamportEnvelope,
  type IamportPayment,
  IamportPaymentEnvelope,
  type PaymentStatus,
  type Prepared,
  PreparedEnvelope,
  TokenEnvelope,
} from "@iamport-pay/shared";
import type { z } from "zod";
import { type Metrics, noMetrics } from "./metrics.js";

/** Iamport answered, with an HTTP error or a non-zero `code`. */
export class IamportError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly iamportCode: number | undefined,
  ) {
    super(message);
    this.name = "IamportError";
  }
}

/** Iamport did not answer in time, or could not be reached. */
export class IamportUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IamportUnavailableError";
  }
}

/** Iamport knows no payment with that imp_uid (HTTP 404). */
export class PaymentNotFoundError extends IamportError {
  constructor(message: string) {
    super(message, 404, undefined);
    this.name = "PaymentNotFoundError";
  }
}

export interface IamportClientOptions {
  /** e.g. https://api.iamport.kr, or the sandbox's URL. */
  baseUrl: string;
  key: string;
  secret: string;
  fetch?: typeof fetch;
  /** Per call (default 10 s). */
  timeoutMs?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
  /** Pause before the one retry of a GET (default 200 ms). */
  retryDelayMs?: number;
  /** Each call's deadline (default `AbortSignal.timeout`); tests pass signals they abort. */
  timeoutSignal?: (ms: number) => AbortSignal;
  metrics?: Metrics;
  /**
   * Send `include_sandbox=true` on payment look-ups (ACCEPT_TEST_PAYMENTS): without it Iamport
   * leaves payments made on test channels out of the answers, as if they did not exist.
   */
  includeSandbox?: boolean;
}

/** `sorting` of the find routes: `-started` (Iamport's default) is newest payment window first. */
export type FindSorting = "-started" | "started" | "-paid" | "paid" | "-updated" | "updated";

export interface IamportClient {
  getPayment(impUid: string): Promise<IamportPayment>;
  /**
   * One payment of an order (`GET /payments/find/{merchant_uid}/{status}`): with `status`, the
   * latest in that status (e.g. `paid`: the one that moved money, even if a later attempt
   * failed); without, the latest of any status. Throws PaymentNotFoundError when there is none.
   */
  findPayment?(
    merchantUid: string,
    status?: PaymentStatus,
    sorting?: FindSorting,
  ): Promise<IamportPayment>;
  cancelPayment(request: CancelRequest): Promise<IamportPayment>;
  preparePayment(request: { merchant_uid: string; amount: number }): Promise<Prepared>;
  /** The current token (fetched or reused); exposed for tests and health checks. */
  getToken(): Promise<string>;
}

const RENEW_BEFORE_MS = 60_000;

export function createIamportClient(options: IamportClientOptions): IamportClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const timeoutSignal = options.timeoutSignal ?? AbortSignal.timeout;
  const metrics = options.metrics ?? noMetrics;
  // UNCONFIRMED: the OpenAPI document lists include_sandbox on GET /payments/{imp_uid} only; we
  // send it on the find routes too, where Iamport applies the same test-channel filter.
  const lookupQuery = (extra: Record<string, string> = {}) => {
    const query = new URLSearchParams(extra);
    if (options.includeSandbox) query.set("include_sandbox", "true");
    const text = query.toString();
    return text === "" ? "" : `?${text}`;
  };

  let token: { value: string; renewAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function send(path: string, init: RequestInit): Promise<Response> {
    const started = performance.now();
    try {
      const response = await doFetch(`${baseUrl}${path}`, {
        ...init,
        signal: timeoutSignal(timeoutMs),
      });
      metrics.iamportCall(path, response.status, (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      metrics.iamportCall(
        path,
        timedOut ? "timeout" : "unreachable",
        (performance.now() - started) / 1000,
      );
      // The URL and method only: never the body (it may carry the secret).
      throw new IamportUnavailableError(
        timedOut
          ? `Iamport did not answer ${path} within ${timeoutMs} ms`
          : `Iamport could not be reached for ${path}`,
      );
    }
  }

  async function parse<T>(
    response: Response,
    schema: z.ZodType<IamportEnvelope<T>>,
    path: string,
  ): Promise<T> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      if (response.status >= 500) {
        throw new IamportUnavailableError(`Iamport answered ${response.status} for ${path}`);
      }
      throw new IamportError(
        `Iamport answered ${response.status} without JSON for ${path}`,
        response.status,
        undefined,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const code = (body as { code?: unknown } | null)?.code;
      const message = (body as { message?: unknown } | null)?.message;
      if (response.ok || typeof message !== "string") {
        throw new IamportError(
          `Iamport's answer to ${path} did not match its schema`,
          response.status,
          undefined,
        );
      }
      throw errorFor(response.status, typeof code === "number" ? code : undefined, message, path);
    }
    const envelope = parsed.data;
    if (!response.ok || envelope.code !== 0 || envelope.response === null) {
      throw errorFor(response.status, envelope.code, envelope.message ?? "no message", path);
    }
    return envelope.response;
  }

  function errorFor(
    status: number,
    code: number | undefined,
    message: string,
    path: string,
  ): Error {
    if (status === 404) return new PaymentNotFoundError(`Iamport: ${message}`);
    if (status >= 500)
      return new IamportUnavailableError(`Iamport answered ${status} for ${path}: ${message}`);
    return new IamportError(`Iamport: ${message}`, status, code);
  }

  async function fetchToken(): Promise<string> {
    const path = "/users/getToken";
    const response = await send(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_key: options.key, imp_secret: options.secret }),
    });
    const issued = await parse(response, TokenEnvelope, path);
    metrics.tokenRefresh();
    // Iamport's clock says how long the token lives; ours says when that is.
    const lifetimeMs = (issued.expired_at - issued.now) * 1000;
    token = { value: issued.access_token, renewAt: now() + lifetimeMs - RENEW_BEFORE_MS };
    return issued.access_token;
  }

  function getToken(): Promise<string> {
    if (token !== undefined && now() < token.renewAt) return Promise.resolve(token.value);
    // Single flight: concurrent callers share one getToken request.
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function call<T>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: z.ZodType<IamportEnvelope<T>>,
  ): Promise<T> {
    const attempt = async (accessToken: string) =>
      send(path, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const retries = method === "GET" ? 1 : 0;
    for (let tries = 0; ; tries++) {
      try {
        let used = await getToken();
        let response = await attempt(used);
        if (response.status === 401) {
          // Only drop the token we used: another caller may already have renewed it.
          if (token?.value === used) token = undefined;
          used = await getToken();
          response = await attempt(used);
        }
        return await parse(response, schema, path);
      } catch (error) {
        if (!(error instanceof IamportUnavailableError) || tries >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  return {
    getToken,
    getPayment: (impUid) =>
      call(
        "GET",
        `/payments/${encodeURIComponent(impUid)}${lookupQuery()}`,
        undefined,
        IamportPaymentEnvelope,
      ),
    findPayment: (merchantUid, status, sorting) =>
      call(
        "GET",
        `/payments/find/${encodeURIComponent(merchantUid)}${status ? `/${status}` : ""}${lookupQuery(
          sorting ? { sorting } : {},
        )}`,
        undefined,
        IamportPaymentEnvelope,
      ),
    cancelPayment: (request) => call("POST", "/payments/cancel", request, IamportPaymentEnvelope),
    preparePayment: (request) => call("POST", "/payments/prepare", request, PreparedEnvelope),
  };
}
