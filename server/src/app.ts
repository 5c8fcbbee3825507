/**
 * createApp: the whole HTTP API as one Hono app, built from its dependencies, so a merchant can
 * mount it inside their own server (`shop.route("/pay", createApp(...))`) and tests can build one
 * per database.
 */
import type { ConfigResponse, Product } from "@iamport-pay/shared";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { checkCatalog, priceCart } from "./catalog.js";
import type { Db } from "./db/open.js";
import { AppError } from "./errors.js";
import { createHookQueue, type HookQueue } from "./hook-outbox.js";
import { apiCors, limitBody } from "./http-middleware.js";
import type { IamportClient } from "./iamport-client.js";
import { createJsonLogger, type Logger } from "./logger.js";
import { type Metrics, noMetrics } from "./metrics.js";
import { createOriginPolicy } from "./origins.js";
import { realTimer, requestTimeout, type ScheduleTimer } from "./request-timeout.js";
import { adminRoutes } from "./routes/admin.js";
import { demoRoutes } from "./routes/demo.js";
import { mobileResultStyle } from "./routes/mobile-page.js";
import { ordersRoutes, type PriceOrder } from "./routes/orders.js";
import { paymentRoutes } from "./routes/payments.js";
import { findWidgetDir, widgetFileRoutes } from "./routes/widget-files.js";
import { cspHash, demoPageHeaders, noSniff, resultPageHeaders } from "./security-headers.js";
import type { Hooks, PgChannel, VerifyDeps } from "./verify.js";

export interface CreateAppOptions {
  db: Db;
  iamport: IamportClient;
  /** Prices carts; or give `priceOrder` to price them yourself. */
  catalog?: readonly Product[];
  priceOrder?: PriceOrder;
  impCode: string;
  /** The Iamport browser SDK the widget should load. */
  sdkUrl: string;
  /** CORS and `return` origins, in addition to the server's own origin (`publicUrl`). */
  allowedOrigins?: readonly string[];
  /** Cancel forged payments through Iamport (default true). */
  cancelForged?: boolean;
  /** Register amounts with /payments/prepare (default false). */
  prepare?: boolean;
  hooks?: Hooks;
  /** How long a hook call may take before the sweeper may call it again (default 60 s). */
  hookLeaseMs?: number;
  /**
   * Calls the hooks after each answer (default: a queue of the app's own, see `hooksSettled`);
   * give one to share it with a reconciler (startServer does).
   */
  hookQueue?: HookQueue;
  /** Where the widget's build lives (default: the installed @iamport-pay/widget's dist/). */
  widgetDir?: URL;
  /** The URL shoppers reach this app at; its origin is the default allowed origin. */
  publicUrl?: string;
  /** Sandbox mode: mounts the sandbox at /sandbox and the demo shop at /. */
  sandbox?: { app: Hono };
  /** Told to /config's `pg`/`payMethods`. */
  pg?: string;
  payMethods?: string[];
  log?: Logger;
  /**
   * Refuse payments Iamport marks `sandbox: true`. Default: refuse, unless this app mounts the
   * sandbox itself (sandbox mode); tests against a standalone sandbox pass `false`.
   */
  refuseSandboxPayments?: boolean;
  /** ALLOWED_PG: the live PG channels; a payment on another one is a forgery (default: any). */
  allowedPg?: readonly PgChannel[];
  /** Request bodies larger than this are refused (default 64 KiB). */
  bodyLimitBytes?: number;
  /** A request still running after this long is answered 504 (default 30 s; 0 = no limit). */
  requestTimeoutMs?: number;
  /** The timer behind requestTimeoutMs (tests pass one they fire themselves). */
  scheduleTimer?: ScheduleTimer;
  /** Counts verifications, Iamport calls, webhooks, refunds, answers (default: counts nothing). */
  metrics?: Metrics;
  /** Serves `GET /metrics` from this (Prometheus text), when given. */
  metricsEndpoint?: { readonly contentType: string; render(): Promise<string> };
  /** ADMIN_TOKEN: mounts the admin API and console at /admin (absent: no /admin at all). */
  admin?: {
    token: string;
    countRefund?(outcome: "ok" | "failed"): void;
  };
}

type Env = { Variables: { log: Logger; requestId: string } };

export const defaultWidgetDir: URL = findWidgetDir();

/** The app, and a way to wait for the hooks its answers owe (they are called after them). */
export type App = Hono<Env> & {
  /**
   * Resolves once every hook owed so far has been called and its outbox row deleted: for a
   * shutdown (after the server stopped taking requests) and for tests, instead of sleeping.
   */
  hooksSettled(): Promise<void>;
};

export function createApp(options: CreateAppOptions): App {
  const baseLog = options.log ?? createJsonLogger();
  const catalog =
    options.catalog === undefined ? undefined : checkCatalog(options.catalog, "createApp: catalog");
  const hookQueue =
    options.hookQueue ??
    createHookQueue({
      db: options.db,
      log: baseLog,
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.hookLeaseMs !== undefined ? { hookLeaseMs: options.hookLeaseMs } : {}),
    });
  const priceOrder: PriceOrder =
    options.priceOrder ??
    ((request) => {
      if (!catalog) throw new Error("createApp needs a catalog or a priceOrder function");
      return priceCart(catalog, request.items);
    });
  const origins = createOriginPolicy({
    publicOrigin: options.publicUrl ? new URL(options.publicUrl).origin : undefined,
    allowedOrigins: options.allowedOrigins,
    loopbackEquivalent: options.sandbox !== undefined,
  });

  const metrics = options.metrics ?? noMetrics;
  const app = new Hono<Env>();

  app.use(requestId());
  app.use(noSniff);
  app.use(async function requestLog(c, next) {
    const started = performance.now();
    const id = c.get("requestId");
    c.set("log", (level, message, fields) =>
      baseLog(level, message, { request_id: id, ...fields }),
    );
    await next();
    const ms = performance.now() - started;
    metrics.httpRequest(c.req.method, c.res.status, ms / 1000);
    baseLog(c.res.status >= 500 ? "error" : "info", "request", {
      request_id: id,
      method: c.req.method,
      // The path only: query strings may carry payment ids a shopper would rather keep private.
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(ms),
    });
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  if (requestTimeoutMs > 0)
    app.use(requestTimeout(requestTimeoutMs, options.scheduleTimer ?? realTimer));
  app.use(
    limitBody(options.bodyLimitBytes ?? 64 * 1024, (c) =>
      c.json(
        { status: "error", code: "payload_too_large", message: "The body is too large" },
        413,
        // The unread rest of the body makes the socket unusable: say so, or a keep-alive
        // client would send its next request into a closed connection.
        { connection: "close" },
      ),
    ),
  );

  app.onError((error, c) => {
    if (error instanceof AppError) {
      return c.json({ status: "error", code: error.code, message: error.message }, error.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(
        { status: "error", code: "bad_request", message: error.message || "Bad request" },
        error.status,
      );
    }
    baseLog("error", "unhandled error", {
      request_id: c.get("requestId"),
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return c.json({ status: "error", code: "internal", message: "Internal server error" }, 500);
  });
  app.notFound((c) =>
    c.json({ status: "error", code: "not_found", message: "No such route" }, 404),
  );

  if (options.sandbox) app.route("/sandbox", options.sandbox.app);

  // Every origin's preflight is answered, so that a page on an origin we refuse can read the
  // 403 below (and say so) instead of seeing a bare network error. The refusal itself happens
  // here on the server, before any route runs: no state changes for a refused origin.
  const api = apiCors(
    cors({
      origin: (origin) => origin || null,
      allowMethods: ["GET", "POST"],
      allowHeaders: ["content-type"],
      maxAge: 600,
    }),
  );
  const refuseForeignOrigins = createMiddleware<Env>(async (c, next) => {
    const origin = c.req.header("origin");
    // Server-to-server calls (and same-origin GETs) send no Origin.
    if (!origin || c.req.method === "OPTIONS" || origins.allows(origin, c.req.url)) return next();
    c.get("log")("warn", "request from an origin that is not allowed", {
      origin,
      path: c.req.path,
      fix: `add ${origin} to ALLOWED_ORIGINS`,
    });
    return c.json(
      {
        status: "error",
        code: "origin_not_allowed",
        message: `This server does not accept pages from ${origin}; add it to ALLOWED_ORIGINS`,
      },
      403,
    );
  });
  // `/orders/*` covers `/orders` itself too (listing both ran these twice: `Vary: Origin, Origin`).
  for (const path of ["/config", "/orders/*", "/payments/complete", "/healthz", "/readyz"]) {
    app.use(path, api, refuseForeignOrigins);
  }

  app.get("/config", (c) => {
    const body: ConfigResponse = {
      impCode: options.impCode,
      sdkUrl: options.sdkUrl,
      ...(options.pg ? { pg: options.pg } : {}),
      ...(options.payMethods ? { payMethods: options.payMethods } : {}),
      sandbox: options.sandbox !== undefined,
    };
    return c.json(body);
  });

  if (options.metricsEndpoint) {
    const endpoint = options.metricsEndpoint;
    app.get("/metrics", async (c) =>
      c.body(await endpoint.render(), 200, { "content-type": endpoint.contentType }),
    );
  }

  // Readiness, for a load balancer: can this process serve a payment now? The database answers,
  // and Iamport gives a token (the cached one while fresh, so a probe costs Iamport nothing most
  // of the time). Liveness is /healthz: a process Iamport cannot reach is not broken.
  app.get("/readyz", async (c) => {
    const [database, iamport] = await Promise.all([
      options.db.drizzle.execute(sql`select 1`).then(
        () => "ok" as const,
        () => "unavailable" as const,
      ),
      options.iamport.getToken().then(
        () => "ok" as const,
        () => "unavailable" as const,
      ),
    ]);
    if (database === "ok" && iamport === "ok") return c.json({ status: "ok", database, iamport });
    const down = [database !== "ok" && "the database", iamport !== "ok" && "Iamport"].filter(
      Boolean,
    );
    return c.json(
      {
        status: "error",
        code: "not_ready",
        message: `Not ready: ${down.join(" and ")} cannot be reached`,
        database,
        iamport,
      },
      503,
    );
  });

  app.post("/iamport-webhook", async (_c, next) => {
    metrics.webhookReceived();
    await next();
  });
  app.use("/payments/complete/mobile", resultPageHeaders(cspHash(mobileResultStyle)));

  app.get("/healthz", async (c) => {
    try {
      await options.db.drizzle.execute(sql`select 1`);
      return c.json({ status: "ok" });
    } catch {
      return c.json(
        { status: "error", code: "internal", message: "The database does not answer" },
        503,
      );
    }
  });

  app.route(
    "/orders",
    ordersRoutes({
      db: options.db,
      priceOrder,
      iamport: options.iamport,
      prepare: options.prepare ?? false,
      log: baseLog,
    }),
  );
  // What every verification is told, whichever door it came in by (the log is per request).
  const verifyDeps: Omit<VerifyDeps, "log"> = {
    db: options.db,
    iamport: options.iamport,
    cancelForged: options.cancelForged ?? true,
    refuseSandboxPayments: options.refuseSandboxPayments ?? options.sandbox === undefined,
    ...(options.allowedPg?.length ? { allowedPg: options.allowedPg } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.hookLeaseMs !== undefined ? { hookLeaseMs: options.hookLeaseMs } : {}),
    hookQueue,
    metrics,
  };
  app.route(
    "/",
    paymentRoutes({
      db: options.db,
      allowedOrigins: origins.allowed,
      shopUrl: shopUrl(options),
      verifyDeps,
    }),
  );
  if (options.admin) {
    app.route(
      "/admin",
      adminRoutes({
        // Refunds are counted as metrics' `admin` refunds unless the caller counts them itself.
        countRefund: (outcome) => metrics.refund("admin", outcome),
        ...options.admin,
        log: baseLog,
        verify: { ...verifyDeps, log: baseLog },
      }),
    );
  }
  app.route("/", widgetFileRoutes(options.widgetDir ?? defaultWidgetDir));
  if (options.sandbox) {
    const demoHeaders = demoPageHeaders([new URL(options.sdkUrl).origin]);
    for (const path of ["/", "/demo/*", "/sandbox-console", "/sandbox-console/*"])
      app.use(path, demoHeaders);
    app.route("/", demoRoutes({ db: options.db, catalog: catalog ?? [] }));
  }

  // Mounted in a merchant's app (`shop.route("/pay", app)`), this app's notFound handler is not
  // consulted: the merchant's is. This last route keeps unknown paths under the prefix JSON.
  app.all("*", (c) =>
    c.json({ status: "error", code: "not_found", message: "No such route" }, 404),
  );

  return Object.assign(app, { hooksSettled: () => hookQueue.settled() });
}

/**
 * Where the mobile result page links "back to the shop": the first ALLOWED_ORIGINS entry (the
 * merchant's shop), or the demo shop in sandbox mode; none when unknown.
 */
function shopUrl(options: CreateAppOptions): string | undefined {
  const shop = options.allowedOrigins?.[0];
  if (shop) return `${shop}/`;
  if (options.sandbox && options.publicUrl) return `${options.publicUrl.replace(/\/+$/, "")}/`;
  return undefined;
}
