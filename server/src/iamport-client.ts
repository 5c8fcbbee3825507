/**
 * A small Iamport V1 REST client: one access token shared by every call, answers parsed with
 * shared's schemas. By default it talks through one keep-alive connection pool (undici's `Pool`);
 * a `fetch` may be injected instead, so tests and the sandbox can swap the transport.
 *
 * Policy, one reason per rule:
 * - at most `maxConnections` calls are in flight (default 64); more wait in the pool's queue, never
 *   refused: a hung Iamport holds at most that many sockets, and nothing is shed as a 5xx;
 * - connections are kept alive and reused: a TLS handshake per call would cost more than the call;
 * - every call has a timeout (for the answer's headers, then for its body): a hung Iamport must
 *   not hang our requests;
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
import { type Dispatcher, Pool } from "undici";
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
  /** A transport instead of the connection pool (tests, an in-process sandbox). */
  fetch?: typeof fetch;
  /** Per call (default 10 s): for the answer's headers, then again for its body. */
  timeoutMs?: number;
  /** Calls in flight at most; more wait in a queue (default 64). Ignored with `fetch`. */
  maxConnections?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
  /** Pause before the one retry of a GET (default 200 ms). */
  retryDelayMs?: number;
  /**
   * Each call's deadline instead of `timeoutMs`'s timers; tests pass signals they abort. By
   * default the pool's own timers (no AbortSignal per call: each costs a timer and listeners).
   */
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
  /** Closes the connection pool (in-flight calls finish first). */
  close?(): Promise<void>;
}

/** An answer read to its end: what parsing needs, whatever the transport. */
interface Answer {
  status: number;
  text: string;
}

interface Call {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
}

/** Sends one call and reads its whole answer; throws only when Iamport could not be heard. */
type Transport = (path: string, call: Call) => Promise<Answer>;

export const DEFAULT_IAMPORT_MAX_CONNECTIONS = 64;

const RENEW_BEFORE_MS = 60_000;

export function createIamportClient(options: IamportClientOptions): IamportClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const pool = options.fetch
    ? undefined
    : new Pool(new URL(baseUrl).origin, {
        connections: Math.max(1, options.maxConnections ?? DEFAULT_IAMPORT_MAX_CONNECTIONS),
      });
  const metrics = options.metrics ?? noMetrics;
  const deadline = options.timeoutSignal;
  const transport: Transport = pool
    ? poolTransport(pool, new URL(baseUrl).pathname.replace(/\/+$/, ""), timeoutMs, deadline)
    : fetchTransport(
        options.fetch as typeof fetch,
        baseUrl,
        timeoutMs,
        deadline ?? AbortSignal.timeout,
      );
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

  async function send(path: string, call: Call): Promise<Answer> {
    const started = performance.now();
    try {
      const answer = await transport(path, call);
      metrics.iamportCall(path, answer.status, (performance.now() - started) / 1000);
      return answer;
    } catch (error) {
      metrics.iamportCall(
        path,
        isTimeout(error) ? "timeout" : "unreachable",
        (performance.now() - started) / 1000,
      );
      // The URL and method only: never the body (it may carry the secret).
      throw new IamportUnavailableError(
        isTimeout(error)
          ? `Iamport did not answer ${path} within ${timeoutMs} ms`
          : `Iamport could not be reached for ${path}`,
      );
    }
  }

  async function parse<T>(
    response: Answer,
    schema: z.ZodType<IamportEnvelope<T>>,
    path: string,
  ): Promise<T> {
    let body: unknown;
    try {
      body = JSON.parse(response.text);
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
    const ok = response.status >= 200 && response.status < 300;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const code = (body as { code?: unknown } | null)?.code;
      const message = (body as { message?: unknown } | null)?.message;
      if (ok || typeof message !== "string") {
        throw new IamportError(
          `Iamport's answer to ${path} did not match its schema`,
          response.status,
          undefined,
        );
      }
      throw errorFor(response.status, typeof code === "number" ? code : undefined, message, path);
    }
    const envelope = parsed.data;
    if (!ok || envelope.code !== 0 || envelope.response === null) {
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
    const json = body === undefined ? undefined : JSON.stringify(body);
    const attempt = async (accessToken: string) =>
      send(path, {
        method,
        headers:
          json === undefined
            ? { authorization: `Bearer ${accessToken}` }
            : { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        ...(json === undefined ? {} : { body: json }),
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
    close: async () => {
      await pool?.close();
    },
  };
}

function poolTransport(
  pool: Pool,
  basePath: string,
  timeoutMs: number,
  deadline: ((ms: number) => AbortSignal) | undefined,
): Transport {
  return (path, call) =>
    new Promise<Answer>((resolve, reject) => {
      pool.dispatch(
        {
          path: `${basePath}${path}`,
          method: call.method,
          headers: call.headers,
          body: call.body ?? null,
          // 0 turns the pool's timers off: the injected signal alone decides.
          headersTimeout: deadline ? 0 : timeoutMs,
          bodyTimeout: deadline ? 0 : timeoutMs,
        },
        new AnswerCollector(resolve, reject, deadline?.(timeoutMs)),
      );
    });
}

const UTF8_BOM = 0xfeff;

/**
 * Reads one answer into a string, as `pool.request(...)` then `body.text()` would (a UTF-8 BOM
 * dropped), without the stream, the parsed header object and the async-hooks resource those
 * make for every call: we only need the status and the text. An aborted `signal` ends the call
 * with its reason, before or after the answer started.
 */
class AnswerCollector implements Dispatcher.DispatchHandlers {
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private abort: ((reason: Error) => void) | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal) {
      this.onAbort = () => this.abort?.(signal.reason);
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.signal?.aborted) {
      abort(this.signal.reason);
      return;
    }
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    // 1xx answers are informational: the real one follows.
    if (statusCode >= 200) this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.done();
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const text = body.toString("utf8");
    this.resolve({
      status: this.status,
      text: text.charCodeAt(0) === UTF8_BOM ? text.slice(1) : text,
    });
  }

  onError(error: Error): void {
    this.done();
    this.reject(error);
  }

  private done(): void {
    if (this.onAbort) this.signal?.removeEventListener("abort", this.onAbort);
  }
}

function fetchTransport(
  doFetch: typeof fetch,
  baseUrl: string,
  timeoutMs: number,
  deadline: (ms: number) => AbortSignal,
): Transport {
  return async (path, call) => {
    const response = await doFetch(`${baseUrl}${path}`, {
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal: deadline(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  };
}

function isTimeout(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return (
    name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT"
  );
}
