/**
 * startServer: composes config, database, Iamport client (or the built-in sandbox) and the app,
 * and listens. With keys it first asks Iamport for a token, and refuses to start on keys Iamport
 * refuses. Returns a handle whose `close()` stops accepting, lets in-flight requests finish,
 * then closes the sandbox and the database.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Sandbox } from "@iamport-pay/sandbox";
import type { Product } from "@iamport-pay/shared";
import { count } from "drizzle-orm";
import type { Hono } from "hono";
import { createApp } from "./app.js";
import { demoCatalog, loadCatalog } from "./catalog.js";
import { type Config, DEFAULT_IAMPORT_API_URL } from "./config.js";
import { type Db, openDb } from "./db/open.js";
import { hookOutbox, products } from "./db/schema.js";
import { createHookQueue } from "./hook-outbox.js";
import { createIamportClient, type IamportClient, IamportError } from "./iamport-client.js";
import { atLevel, createJsonLogger, type Logger } from "./logger.js";
import {
  createPrometheusMetrics,
  type Metrics,
  noMetrics,
  type PrometheusMetrics,
} from "./metrics.js";
import { type ReconcileSummary, startReconciler } from "./reconcile.js";
import type { ScheduleTimer } from "./request-timeout.js";
import { loadSandbox } from "./sandbox-loader.js";
import type { Hooks } from "./verify.js";

/** How long an idle client connection is kept open (see startServer). */
const KEEP_ALIVE_MS = 65_000;

export interface StartOptions {
  /** Overrides config.port (0 = any free port). */
  port?: number;
  hooks?: Hooks;
  log?: Logger;
  /** Iamport client transport (tests). */
  fetch?: typeof fetch;
  /** Iamport call timeout (default 10 s). */
  iamportTimeoutMs?: number;
  widgetDir?: URL;
  /**
   * Accept payments marked `sandbox: true` with real keys: only for tests and benchmarks that
   * run against a standalone sandbox (its payments all carry the flag). Never from the env.
   */
  acceptSandboxPayments?: boolean;
  /** Overrides config.reconcileIntervalMs / reconcileGraceMs (tests). */
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  /** Iamport call deadlines and the request timeout's timer (tests fire them by hand). */
  timeoutSignal?: (ms: number) => AbortSignal;
  scheduleTimer?: ScheduleTimer;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Set in sandbox mode. */
  sandbox?: Sandbox;
  db: Db;
  app: Hono;
  /** Where `GET /metrics` is served, when METRICS=true (the API's URL unless METRICS_PORT). */
  metricsUrl?: string;
  /** One reconciliation round now, after a sweep of owed hooks (reconcile.ts). */
  reconcile(): Promise<ReconcileSummary>;
  /** Resolves once every hook owed so far (by requests or reconciliation) has been called. */
  hooksSettled(): Promise<void>;
  /**
   * Stops taking requests, lets in-flight ones finish, waits for the hooks they owe (at most the
   * hook lease, hook-outbox.ts's settledWithinLease), then closes the database.
   */
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = atLevel(options.log ?? createJsonLogger(), config.logLevel);
  const catalog: Product[] = config.catalogPath
    ? await loadCatalog(config.catalogPath)
    : demoCatalog;
  // The outbox gauge reads the database at each scrape, which only happens once it is open.
  const prometheus = config.metrics
    ? createPrometheusMetrics({ outboxDepth: () => countOwedHooks(db) })
    : undefined;
  const metrics: Metrics = prometheus ?? noMetrics;
  const clientOptions = {
    // Sandbox mode: replaced by the sandbox's own credentials once it is loaded (below).
    key: config.impKey ?? "",
    secret: config.impSecret ?? "",
    metrics,
    maxConnections: config.iamportMaxConnections,
    includeSandbox: config.acceptTestPayments,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.iamportTimeoutMs ? { timeoutMs: options.iamportTimeoutMs } : {}),
    ...(options.timeoutSignal ? { timeoutSignal: options.timeoutSignal } : {}),
  };
  let keyedClient: IamportClient | undefined;
  if (!config.sandboxMode) {
    // Before anything else: a server with refused keys would answer every payment with 502.
    keyedClient = createIamportClient({
      ...clientOptions,
      baseUrl: config.iamportApiUrl ?? DEFAULT_IAMPORT_API_URL,
    });
    if (config.checkKeys) {
      await checkKeys(keyedClient, log).catch(async (error: unknown) => {
        await keyedClient?.close?.();
        throw error;
      });
    }
  }
  const db = await openDb(config.databaseUrl, { migrate: config.migrate });

  let handler: Hono | undefined;
  let server: Server;
  try {
    await syncProducts(db, catalog);
    // Listen first: in sandbox mode the app's URLs (webhook, SDK) depend on the port we get.
    server = serve({
      fetch: (request, env) =>
        handler ? handler.fetch(request, env) : new Response("starting", { status: 503 }),
      port: options.port ?? config.port,
      hostname: config.host,
    }) as Server;
    // An idle keep-alive connection must outlive the client's and the proxy's (60 s is usual):
    // when the server closes first, a request already on its way meets a reset (Node's 5 s
    // default; seen as ECONNRESET when a busy event loop ran both sides' timers late).
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = config.publicUrl ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let sandbox: Sandbox | undefined;
  let iamportUrl = config.iamportApiUrl ?? DEFAULT_IAMPORT_API_URL;
  let sdkUrl = "https://cdn.iamport.kr/v1/iamport.js";
  let sandboxCredentials: { key: string; secret: string } | undefined;
  if (config.sandboxMode) {
    const { createSandbox, sandboxDefaults } = await loadSandbox().catch(async (error) => {
      await new Promise((resolve) => server.close(resolve));
      await db.close();
      throw error;
    });
    sandboxCredentials = { key: sandboxDefaults.impKey, secret: sandboxDefaults.impSecret };
    sandbox = createSandbox({ impCode: config.impCode, noticeUrl: `${url}/iamport-webhook` });
    iamportUrl = config.iamportApiUrl ?? `${url}/sandbox`;
    sdkUrl = `${url}/sandbox/iamport.payment.js`;
    log(
      "warn",
      "SANDBOX MODE: no IMP_KEY/IMP_SECRET, payments go to the built-in sandbox, not Iamport",
      {
        url,
        sandbox: `${url}/sandbox`,
        shop: `${url}/`,
      },
    );
  }

  const iamport =
    keyedClient ??
    createIamportClient({ ...clientOptions, ...sandboxCredentials, baseUrl: iamportUrl });
  const refuseSandboxPayments =
    !config.acceptTestPayments && options.acceptSandboxPayments !== true;
  // One queue for the API's and the reconciler's hooks, so one wait covers both at shutdown.
  const hookQueue = createHookQueue({
    db,
    log,
    hookLeaseMs: config.hookLeaseMs,
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const app = createApp({
    db,
    iamport,
    catalog,
    impCode: config.impCode,
    sdkUrl,
    allowedOrigins: config.allowedOrigins,
    cancelForged: config.cancelForged,
    prepare: config.prepare,
    publicUrl: url,
    refuseSandboxPayments,
    allowedPg: config.allowedPg,
    hookLeaseMs: config.hookLeaseMs,
    hookQueue,
    log,
    metrics,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(options.scheduleTimer ? { scheduleTimer: options.scheduleTimer } : {}),
    ...(prometheus && config.metricsPort === undefined ? { metricsEndpoint: prometheus } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}),
    ...(sandbox ? { sandbox } : {}),
    ...(config.adminToken ? { admin: { token: config.adminToken } } : {}),
  });
  handler = app as unknown as Hono;
  const reconciler = startReconciler(
    {
      db,
      iamport,
      cancelForged: config.cancelForged,
      refuseSandboxPayments,
      ...(config.allowedPg.length > 0 ? { allowedPg: config.allowedPg } : {}),
      hookLeaseMs: config.hookLeaseMs,
      hookQueue,
      log,
      metrics,
      ...(options.hooks ? { hooks: options.hooks } : {}),
    },
    {
      intervalMs: options.reconcileIntervalMs ?? config.reconcileIntervalMs,
      graceMs: options.reconcileGraceMs ?? config.reconcileGraceMs,
      maxBackoffMs: config.reconcileMaxBackoffMs,
    },
  );
  const metricsServer =
    prometheus && config.metricsPort !== undefined
      ? await serveMetrics(prometheus, config.metricsPort, config.host).catch(async (error) => {
          await reconciler.stop();
          server.close();
          server.closeAllConnections();
          await sandbox?.close();
          await db.close();
          throw error;
        })
      : undefined;
  const metricsUrl = prometheus
    ? metricsServer
      ? `http://${host.includes(":") ? `[${host}]` : host}:${(metricsServer.address() as AddressInfo).port}/metrics`
      : `${url}/metrics`
    : undefined;
  log("info", "listening", {
    url,
    database: db.kind,
    iamport: config.sandboxMode ? "sandbox" : iamportUrl,
    ...(metricsUrl ? { metrics: metricsUrl } : {}),
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; busy ones finish their request.
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        force.unref();
      });
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      // Waits for its round, then for every queued hook (the API's too: one queue).
      await reconciler.stop();
      await iamport.close?.();
      await sandbox?.close();
      await db.close();
    })();
    return closing;
  };
  return {
    url,
    port,
    db,
    app: handler,
    reconcile: reconciler.runNow,
    hooksSettled: () => hookQueue.settled(),
    close,
    ...(metricsUrl ? { metricsUrl } : {}),
    ...(sandbox ? { sandbox } : {}),
  };
}

/**
 * One token request. Keys Iamport refuses stop the start with one line; an Iamport that cannot be
 * reached does not (it may be a passing outage): the server starts, and /readyz reports it.
 */
async function checkKeys(iamport: IamportClient, log: Logger): Promise<void> {
  try {
    await iamport.getToken();
  } catch (error) {
    if (error instanceof IamportError) {
      throw new Error(
        `Iamport refused IMP_KEY/IMP_SECRET (HTTP ${error.httpStatus}): check the REST API keys in Iamport's console (IAMPORT_CHECK_KEYS=false skips this check)`,
      );
    }
    log("warn", "could not reach Iamport to check the keys; starting anyway", {
      error: (error as Error).message,
    });
  }
}

/** METRICS_PORT: `GET /metrics` alone on a port of its own, kept off the public listener. */
async function serveMetrics(
  prometheus: PrometheusMetrics,
  port: number,
  hostname: string,
): Promise<Server> {
  const server = serve({
    fetch: async (request) =>
      new URL(request.url).pathname === "/metrics" && request.method === "GET"
        ? new Response(await prometheus.render(), {
            headers: {
              "content-type": prometheus.contentType,
              "x-content-type-options": "nosniff",
            },
          })
        : Response.json(
            { status: "error", code: "not_found", message: "No such route" },
            { status: 404, headers: { "x-content-type-options": "nosniff" } },
          ),
    port,
    hostname,
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return server;
}

async function countOwedHooks(db: Db): Promise<number> {
  const [row] = await db.drizzle.select({ owed: count() }).from(hookOutbox);
  return row?.owed ?? 0;
}

async function syncProducts(db: Db, catalog: readonly Product[]): Promise<void> {
  for (const product of catalog) {
    await db.drizzle
      .insert(products)
      .values({
        sku: product.sku,
        name: product.name,
        amount: product.amount,
        currency: product.currency,
      })
      .onConflictDoUpdate({
        target: products.sku,
        set: {
          name: product.name,
          amount: product.amount,
          currency: product.currency,
          updatedAt: new Date(),
        },
      });
  }
}
