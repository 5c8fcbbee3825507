export { type App, type CreateAppOptions, createApp, defaultWidgetDir } from "./app.js";
export { demoCatalog, loadCatalog, type PricedOrder, priceCart } from "./catalog.js";
export { type AllowedPg, type Config, loadConfig } from "./config.js";
export { type Db, openDb } from "./db/open.js";
export {
  type OrderRow,
  orders,
  type PaymentEventRow,
  paymentEvents,
  type RefundRequiredRow,
  refundsRequired,
} from "./db/schema.js";
export { createScratchDatabase, type ScratchDatabase } from "./db/scratch.js";
export { AppError } from "./errors.js";
export {
  createHookQueue,
  DEFAULT_HOOK_LEASE_MS,
  deliverOwedHooks,
  type HookDeps,
  type HookQueue,
} from "./hook-outbox.js";
export {
  createIamportClient,
  type FindSorting,
  type IamportClient,
  type IamportClientOptions,
  IamportError,
  IamportUnavailableError,
  PaymentNotFoundError,
} from "./iamport-client.js";
export {
  atLevel,
  createJsonLogger,
  type Logger,
  type LogThreshold,
  silentLogger,
} from "./logger.js";
export {
  createPrometheusMetrics,
  iamportRoute,
  type Metrics,
  noMetrics,
  observeVerification,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  type RefundReason,
} from "./metrics.js";
export {
  DEFAULT_RECONCILE_GRACE_MS,
  DEFAULT_RECONCILE_MAX_BACKOFF_MS,
  type ReconcileOptions,
  type Reconciler,
  type ReconcileSummary,
  reconcileOnce,
  startReconciler,
} from "./reconcile.js";
export { realTimer, requestTimeout, type ScheduleTimer } from "./request-timeout.js";
export type { PriceOrder } from "./routes/orders.js";
export { type RunningServer, type StartOptions, startServer } from "./server.js";
export {
  type HookEvent,
  type Hooks,
  type PgChannel,
  type RefundRequiredEvent,
  type VerifyDeps,
  type VerifyInput,
  type VerifyResult,
  type VerifySource,
  verifyPayment,
} from "./verify.js";
