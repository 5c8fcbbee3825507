/**
 * What the server counts, as a small interface the code calls by name (`metrics.tokenRefresh()`),
 * injected like any other dependency. `noMetrics` (the default everywhere) does nothing; with
 * `METRICS=true`, `createPrometheusMetrics` keeps the figures in a prom-client registry of its own
 * (never the library's global one, so two apps in one process do not mix their counts) and
 * renders them in Prometheus' text format for `GET /metrics`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Why money went back: a forged payment, a second payment for a paid order, or an operator. */
export type RefundReason = "forgery" | "duplicate" | "admin";

export interface ReconcileRoundFigures {
  checked: number;
  verified: number;
  noPayment: number;
  failed: number;
}

export interface Metrics {
  /**
   * One verify call ended. `outcome` is the answer's status (`success`, `vbankIssued`, `pending`,
   * `failed`, `cancelled`, `forgery`, `duplicate`) or, when it threw, the error's code.
   */
  verification(source: string, outcome: string): void;
  /**
   * One HTTP exchange with Iamport, by the path called (ids are folded away: `iamportRoute`) and
   * the HTTP status, or `timeout` / `unreachable` when no answer came.
   */
  iamportCall(path: string, status: number | "timeout" | "unreachable", seconds: number): void;
  /** A new access token was issued to us. */
  tokenRefresh(): void;
  /** A webhook reached `POST /iamport-webhook` (before it is checked). */
  webhookReceived(): void;
  /** A reconciliation round finished. */
  reconcileRound(figures: ReconcileRoundFigures): void;
  /** A cancel we asked Iamport for: `ok` once Iamport confirmed it, `failed` otherwise. */
  refund(reason: RefundReason, outcome: "ok" | "failed"): void;
  /** One answer of ours (any route), by method and status. */
  httpRequest(method: string, status: number, seconds: number): void;
}

export const noMetrics: Metrics = {
  verification() {},
  iamportCall() {},
  tokenRefresh() {},
  webhookReceived() {},
  reconcileRound() {},
  refund() {},
  httpRequest() {},
};

/** Counts a verify call by how it ended, and hands its result (or error) on unchanged. */
export async function observeVerification<T extends { status: string }>(
  metrics: Metrics | undefined,
  source: string,
  run: () => Promise<T>,
): Promise<T> {
  if (metrics === undefined) return run();
  try {
    const result = await run();
    metrics.verification(source, result.status);
    return result;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    metrics.verification(source, typeof code === "string" ? code : "internal");
    throw error;
  }
}

/** An Iamport path with its ids replaced, so a label never holds a payment or order id. */
export function iamportRoute(path: string): string {
  const bare = path.split("?")[0] ?? path;
  if (bare === "/users/getToken" || bare === "/payments/cancel" || bare === "/payments/prepare")
    return bare;
  if (/^\/payments\/find\/[^/]+\/[^/]+$/.test(bare))
    return "/payments/find/{merchant_uid}/{status}";
  if (/^\/payments\/find\/[^/]+$/.test(bare)) return "/payments/find/{merchant_uid}";
  if (/^\/payments\/prepare\/[^/]+$/.test(bare)) return "/payments/prepare/{merchant_uid}";
  if (/^\/payments\/[^/]+$/.test(bare)) return "/payments/{imp_uid}";
  if (/^\/vbanks\/[^/]+$/.test(bare)) return "/vbanks/{imp_uid}";
  return "other";
}

export interface PrometheusMetrics extends Metrics {
  /** The exposition's content type, for the `/metrics` answer. */
  readonly contentType: string;
  /** Every metric in Prometheus' text format. */
  render(): Promise<string>;
}

export interface PrometheusMetricsOptions {
  /** Rows in the hook outbox (hook calls owed), read at each scrape. */
  outboxDepth?: () => Promise<number>;
  /** Also the process' CPU, memory, event loop lag and handles (default true). */
  processMetrics?: boolean;
}

export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const verifications = new Counter({
    name: "iamport_pay_verifications_total",
    help: "Verify calls by source (client, webhook, mobile, reconcile) and outcome",
    labelNames: ["source", "outcome"] as const,
    registers,
  });
  const iamportCalls = new Histogram({
    name: "iamport_pay_iamport_request_duration_seconds",
    help: "Iamport REST calls by route and HTTP status (or timeout/unreachable)",
    labelNames: ["route", "status"] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const tokenRefreshes = new Counter({
    name: "iamport_pay_token_refreshes_total",
    help: "Access tokens issued to this process by Iamport",
    registers,
  });
  const webhooks = new Counter({
    name: "iamport_pay_webhooks_received_total",
    help: "Webhooks received at /iamport-webhook",
    registers,
  });
  const reconcileRounds = new Counter({
    name: "iamport_pay_reconcile_rounds_total",
    help: "Reconciliation rounds run by this process",
    registers,
  });
  const reconcileOrders = new Counter({
    name: "iamport_pay_reconcile_orders_total",
    help: "Stale orders a reconciliation round asked Iamport about, by result (verified, no_payment, failed)",
    labelNames: ["result"] as const,
    registers,
  });
  const refunds = new Counter({
    name: "iamport_pay_refunds_total",
    help: "Cancels asked of Iamport, by reason (forgery, duplicate, admin) and outcome (ok, failed)",
    labelNames: ["reason", "outcome"] as const,
    registers,
  });
  const httpRequests = new Histogram({
    name: "iamport_pay_http_request_duration_seconds",
    help: "Answers of this server by method and status",
    labelNames: ["method", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const { outboxDepth } = options;
  if (outboxDepth) {
    new Gauge({
      name: "iamport_pay_hook_outbox_depth",
      help: "Hook calls owed (hook_outbox rows), in the whole database",
      registers,
      async collect() {
        this.set(await outboxDepth());
      },
    });
  }

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    verification: (source, outcome) => verifications.inc({ source, outcome }),
    iamportCall: (path, status, seconds) =>
      iamportCalls.observe({ route: iamportRoute(path), status: String(status) }, seconds),
    tokenRefresh: () => tokenRefreshes.inc(),
    webhookReceived: () => webhooks.inc(),
    reconcileRound(figures) {
      reconcileRounds.inc();
      reconcileOrders.inc({ result: "verified" }, figures.verified);
      reconcileOrders.inc({ result: "no_payment" }, figures.noPayment);
      reconcileOrders.inc({ result: "failed" }, figures.failed);
    },
    refund: (reason, outcome) => refunds.inc({ reason, outcome }),
    httpRequest: (method, status, seconds) =>
      httpRequests.observe({ method, status: String(status) }, seconds),
  };
}
