/**
 * The server under test, as its own process: the same composition as the server's `startServer`
 * (loadConfig, openDb, createIamportClient, createApp, the JSON request log) with two changes the
 * bench needs:
 * - `refuseSandboxPayments: false`: every sandbox payment says `sandbox: true`, which a server
 *   with real keys (not in sandbox mode) rightly refuses; startServer has no switch for it;
 * - an `onPaid` hook that counts transitions, read back at `GET /bench/transitions` with the
 *   `paid` rows of payment_events, so the storm can check "paid exactly once".
 * Products are not synced to the products table: pricing reads the in-memory catalog.
 * With ADMIN_TOKEN set it mounts the admin API; with BENCH_RECORD_STATEMENTS=1 it keeps the last
 * statements sent through `db.query` and answers them (and forgets them) at
 * `GET /bench/statements`, so the scale run can EXPLAIN exactly what a request ran.
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import {
  createApp,
  createIamportClient,
  createJsonLogger,
  type Db,
  demoCatalog,
  loadConfig,
  openDb,
} from "@iamport-pay/server";
import { Hono } from "hono";

const config = loadConfig(process.env);
if (config.impKey === undefined || config.impSecret === undefined || !config.iamportApiUrl) {
  console.error("verify-server: set IMP_KEY, IMP_SECRET and IAMPORT_API_URL");
  process.exit(1);
}
const opened = await openDb(config.databaseUrl);
const recorded: { text: string; params: readonly unknown[] }[] = [];
const db: Db =
  process.env.BENCH_RECORD_STATEMENTS === "1"
    ? {
        ...opened,
        query(text, params) {
          recorded.push({ text, params });
          if (recorded.length > 100) recorded.shift();
          return opened.query(text, params);
        },
        close: () => opened.close(),
      }
    : opened;
const iamport = createIamportClient({
  baseUrl: config.iamportApiUrl,
  key: config.impKey,
  secret: config.impSecret,
  includeSandbox: config.acceptTestPayments,
});
const paidHooks = new Map<string, number>();
const app = createApp({
  db,
  iamport,
  catalog: demoCatalog,
  impCode: config.impCode,
  sdkUrl: `${config.iamportApiUrl}/iamport.payment.js`,
  cancelForged: config.cancelForged,
  refuseSandboxPayments: false,
  log: createJsonLogger(),
  ...(config.adminToken ? { admin: { token: config.adminToken } } : {}),
  hooks: {
    onPaid({ order }) {
      paidHooks.set(order.merchant_uid, (paidHooks.get(order.merchant_uid) ?? 0) + 1);
    },
  },
});

// The bench's own routes go in front: the app answers every path it does not know with its
// JSON 404 (a catch-all route), so routes added to it afterwards are never reached.
const bench = new Hono();
bench.get("/bench/transitions", async (c) => {
  // Hooks are called after the answers that owe them: count them once all have run.
  await app.hooksSettled();
  const result = await db.drizzle.execute(
    "select merchant_uid, count(*)::int as n from payment_events where decision = 'paid' group by merchant_uid",
  );
  // postgres.js answers an array of rows, PGlite an object with `rows`.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    merchant_uid: string;
    n: number;
  }[];
  return c.json({
    hooks: Object.fromEntries(paidHooks),
    events: Object.fromEntries(rows.map((row) => [row.merchant_uid, row.n])),
  });
});

bench.get("/bench/statements", (c) => c.json(recorded.splice(0)));
bench.route("/", app);

const server = serve({ fetch: bench.fetch, port: config.port, hostname: config.host }) as Server;

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      void app
        .hooksSettled()
        .then(() => db.close())
        .finally(() => process.exit(0));
    });
    server.closeAllConnections();
  });
}
