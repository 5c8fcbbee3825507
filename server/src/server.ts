/**
 * startServer: composes config, database, Iamport client (or the built-in sandbox) and the app,
 * and listens. Returns a handle whose `close()` stops accepting, lets in-flight requests finish,
 * then closes the sandbox and the database.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSandbox, type Sandbox, sandboxDefaults } from "@iamport-pay/sandbox";
import type { Product } from "@iamport-pay/shared";
import type { Hono } from "hono";
import { createApp } from "./app.js";
import { demoCatalog, loadCatalog } from "./catalog.js";
import { type Config, DEFAULT_IAMPORT_API_URL } from "./config.js";
import { type Db, openDb } from "./db/open.js";
import { products } from "./db/schema.js";
import { createIamportClient } from "./iamport-client.js";
import { createJsonLogger, type Logger } from "./logger.js";
import { type ReconcileSummary, startReconciler } from "./reconcile.js";
import type { Hooks } from "./verify.js";

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
}

export interface RunningServer {
  url: string;
  port: number;
  /** Set in sandbox mode. */
  sandbox?: Sandbox;
  db: Db;
  app: Hono;
  /** One reconciliation round now, after a sweep of owed hooks (reconcile.ts). */
  reconcile(): Promise<ReconcileSummary>;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = options.log ?? createJsonLogger();
  const catalog: Product[] = config.catalogPath
    ? await loadCatalog(config.catalogPath)
    : demoCatalog;
  const db = await openDb(config.databaseUrl);

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
  if (config.sandboxMode) {
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

  const iamport = createIamportClient({
    baseUrl: iamportUrl,
    key: config.impKey ?? sandboxDefaults.impKey,
    secret: config.impSecret ?? sandboxDefaults.impSecret,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.iamportTimeoutMs ? { timeoutMs: options.iamportTimeoutMs } : {}),
    includeSandbox: config.acceptTestPayments,
  });
  const refuseSandboxPayments =
    !config.acceptTestPayments && options.acceptSandboxPayments !== true;
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
    log,
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
      log,
      ...(options.hooks ? { hooks: options.hooks } : {}),
    },
    {
      intervalMs: options.reconcileIntervalMs ?? config.reconcileIntervalMs,
      graceMs: options.reconcileGraceMs ?? config.reconcileGraceMs,
      maxBackoffMs: config.reconcileMaxBackoffMs,
    },
  );
  log("info", "listening", {
    url,
    database: db.kind,
    iamport: config.sandboxMode ? "sandbox" : iamportUrl,
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
      await reconciler.stop();
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
    close,
    ...(sandbox ? { sandbox } : {}),
  };
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
