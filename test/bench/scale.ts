/**
 * `pnpm bench:scale`: what the hot paths cost as a shop's orders pile up, on PostgreSQL only.
 * Fills a scratch database with a realistic mix of orders by bulk insert (generate_series, not
 * through the API), first to 1 k then to BENCH_SCALE_ORDERS (default 1 M), and at each size
 * measures, through the server and the sandbox in their own processes: verification and webhook
 * latency and CPU, GET /orders/:merchant_uid, one reconciliation round, the admin list and
 * search queries, and the EXPLAIN of each statement. Writes bench-results/scale.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { sandboxDefaults } from "@iamport-pay/sandbox";
import {
  createIamportClient,
  createScratchDatabase,
  openDb,
  reconcileOnce,
  silentLogger,
} from "@iamport-pay/server";
import postgres from "postgres";
import { type LoadResult, load } from "./load.js";
import { freePort, repoRoot, type Service, startService } from "./processes.js";
import {
  cpuPerRequest,
  cpuSnapshot,
  ordersAndPayments,
  type Payment,
  startVerifyServer,
  verifyLoad,
} from "./verification.js";

const base = process.env.DATABASE_URL ?? "";
if (!/^postgres(ql)?:\/\//.test(base)) {
  console.error("bench:scale needs DATABASE_URL=postgres://… (PostgreSQL only)");
  process.exit(1);
}
const target = Number(process.env.BENCH_SCALE_ORDERS || 1_000_000);
const sizes = [1_000, target];
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES || 200);
const log = (message: string) => console.error(`bench:scale: ${message}`);

interface Plan {
  name: string;
  ms: number;
  seqScan: boolean;
  text: string;
}

interface SizeResult {
  orders: number;
  verify: LoadResult;
  verifyCpuMs: number;
  webhook: LoadResult;
  getOrder: LoadResult;
  reconcile: { ms: number; checked: number; due: number; roundsBeforeFresh: number };
  queries: Plan[];
  databaseMb: number;
  eventsMb: number;
}

/**
 * The mix, by g % 100: 70 abandoned `pending`, 15 `paid`, 3 partly refunded (`cancelled`),
 * 5 `failed`, 4 virtual accounts `ready` (due ahead), 3 `ready` past their due date. Orders are
 * spread over the last 90 days; settled ones were updated a minute after creation.
 */
const insertOrders = `
  insert into orders (merchant_uid, name, amount, currency, items, status, imp_uid, pay_method,
    cancel_amount, vbank, reason, payment, paid_at, buyer_name, buyer_email, buyer_tel,
    created_at, updated_at)
  select 'bulk_' || g, 'Mug and 1 more', m.amount, 'KRW',
    jsonb_build_array(jsonb_build_object('sku', 'mug-002', 'name', 'Mug', 'quantity', 1, 'amount', m.amount)),
    m.status,
    case when m.status = 'pending' then null else 'imp_bulk_' || g end,
    case when m.status = 'pending' then null when m.status = 'ready' then 'vbank' else 'card' end,
    case when m.status = 'cancelled' then 3000 else 0 end,
    case when m.status = 'ready' then jsonb_build_object('bank_code', '004', 'bank_name', 'KB',
      'number', '123-' || g, 'holder', 'Shop', 'due', to_char(m.due, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) end,
    case when m.status = 'failed' then 'Card declined' end,
    case when m.status = 'pending' then null else jsonb_build_object('imp_uid', 'imp_bulk_' || g,
      'merchant_uid', 'bulk_' || g, 'amount', m.amount, 'cancel_amount',
      case when m.status = 'cancelled' then 3000 else 0 end, 'currency', 'KRW', 'status',
      case when m.status = 'cancelled' then 'paid' else m.status end, 'pay_method', 'card',
      'pg_provider', 'html5_inicis', 'name', 'Mug and 1 more', 'buyer_email', m.email,
      'paid_at', extract(epoch from m.created)::bigint + 60, 'receipt_url',
      'https://iniweb.inicis.com/receipt/' || g) end,
    case when m.status in ('paid', 'cancelled') then m.created + interval '1 minute' end,
    'Buyer ' || (g % 100000), m.email, '010-0000-' || lpad((g % 10000)::text, 4, '0'),
    m.created,
    case when m.status = 'pending' then m.created else m.created + interval '1 minute' end
  from generate_series($1::int, $2::int) g
  cross join lateral (select
    case when g % 100 < 70 then 'pending' when g % 100 < 85 then 'paid'
      when g % 100 < 88 then 'cancelled' when g % 100 < 93 then 'failed' else 'ready' end as status,
    now() - ((g::bigint * 7919) % (90 * 86400)) * interval '1 second' as created,
    now() + case when g % 100 < 97 then interval '3 days' else interval '-2 days' end as due,
    12000 + (g % 5) * 1000 as amount,
    'buyer' || (g % 300000) || '@example.com' as email) m`;

/** One event per settled order, and a second (the webhook after the completion) for paid ones. */
const insertEvents = `
  insert into payment_events (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status,
    decision, payment, created_at)
  select e.source, o.imp_uid, o.merchant_uid, o.merchant_uid, o.payment->>'status',
    case when e.source = 'client' then o.status else 'no_change' end, o.payment, o.updated_at
  from orders o
  cross join lateral (values ('client'), ('webhook')) e(source)
  where o.merchant_uid in (select 'bulk_' || g from generate_series($1::int, $2::int) g)
    and o.status <> 'pending' and (e.source = 'client' or o.status = 'paid')`;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const started = Date.now();
  const scratch = await createScratchDatabase(base, "scale");
  const db = await openDb(scratch.url);
  const sql = postgres(scratch.url, { max: 2, onnotice: () => {} });
  const sandbox = await startService({
    name: "sandbox",
    script: "sandbox/src/main.ts",
    port: await freePort(),
    readyPath: "/control/faults",
    env: {},
  });
  const server = await startVerifyServer(sandbox, {
    kind: "postgres",
    url: scratch.url,
    drop: async () => {},
  });
  const results: SizeResult[] = [];
  try {
    let filled = 0;
    for (const size of sizes) {
      log(`bulk insert to ${size} orders`);
      const t = performance.now();
      await sql.unsafe(insertOrders, [filled + 1, size]);
      await sql.unsafe(insertEvents, [filled + 1, size]);
      await sql`vacuum analyze orders`;
      await sql`vacuum analyze payment_events`;
      log(`  ${Math.round((performance.now() - t) / 1000)} s`);
      filled = size;
      results.push(await measure(size, sql, db, server, sandbox));
    }
  } finally {
    await server.stop();
    await sandbox.stop();
    await sql.end({ timeout: 5 });
    await db.close();
    await scratch.drop();
  }
  const markdown = render(results, loadBefore, Math.round((Date.now() - started) / 1000));
  await mkdir(`${repoRoot}bench-results`, { recursive: true });
  await writeFile(`${repoRoot}bench-results/scale.md`, markdown);
  console.log(markdown);
}

async function measure(
  size: number,
  sql: postgres.Sql,
  db: Awaited<ReturnType<typeof openDb>>,
  server: Service,
  sandbox: Service,
): Promise<SizeResult> {
  log(`${size}: verification and webhook (1 connection, ${SAMPLES} each)`);
  const { payments } = await ordersAndPayments(server, sandbox, 2 * SAMPLES, 8);
  const forVerify = payments.slice(0, SAMPLES);
  const forWebhook = payments.slice(SAMPLES);
  await verifyLoad(server, forVerify.slice(0, 20), 1); // warm up: token, prepared statements
  const cpuBefore = await cpuSnapshot(server, sandbox);
  const verify = await verifyLoad(server, forVerify.slice(20), 1);
  const verifyCpuMs = cpuPerRequest(cpuBefore, await cpuSnapshot(server, sandbox), verify).server;
  const webhook = await load({
    url: server.url,
    connections: 1,
    amount: forWebhook.length,
    method: "POST",
    request: (i) => {
      const p = forWebhook[i % forWebhook.length] as Payment;
      return {
        path: "/iamport-webhook",
        body: { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, status: "paid" },
      };
    },
  });
  log(`${size}: GET /orders/:merchant_uid`);
  const getOrder = await load({
    url: server.url,
    connections: 1,
    amount: 500,
    method: "GET",
    request: (i) => ({ path: `/orders/bulk_${1 + ((i * 7919) % size)}` }),
  });

  log(`${size}: one reconciliation round`);
  // A fresh order whose webhook was lost, and how many due orders a round takes before it.
  const grace = 300;
  const due = await scalar(
    sql,
    `select count(*)::int as n from orders where status in ('pending', 'ready')
      and updated_at < now() - make_interval(secs => ${grace})
      and created_at > now() - interval '7 days'`,
  );
  const iamport = createIamportClient({
    baseUrl: sandbox.url,
    key: sandboxDefaults.impKey,
    secret: sandboxDefaults.impSecret,
  });
  const deps = {
    db,
    iamport,
    cancelForged: true,
    refuseSandboxPayments: false,
    log: silentLogger,
  };
  const t = performance.now();
  const round = await reconcileOnce(deps, { graceMs: grace * 1000 });
  const reconcileMs = performance.now() - t;
  await iamport.close?.();
  // The reconciler takes the least recently updated first: a fresh order just past its grace
  // waits behind every due order (100 a round).
  const roundsBeforeFresh = Math.ceil(due / 100);

  log(`${size}: EXPLAIN of each statement`);
  const some = `bulk_${Math.max(1, Math.floor(size * 0.9))}`;
  const [deep] = await sql.unsafe(
    "select created_at, merchant_uid from orders order by created_at desc, merchant_uid desc offset $1::int limit 1",
    [Math.floor(size * 0.9)],
  );
  const queries: [string, string, unknown[]][] = [
    ["verify: read the order", "select * from orders where merchant_uid = $1::text", [some]],
    [
      "verify: the transition's conditional UPDATE (core of the statement)",
      `update orders set status = 'paid', updated_at = now() where merchant_uid = $1::text
        and status in ('pending', 'failed', 'ready') returning *`,
      [some],
    ],
    [
      "verify: its payment_events row",
      `insert into payment_events (source, imp_uid, merchant_uid, decision) values ('client', 'imp_x', $1::text, 'paid')`,
      [some],
    ],
    [
      "reconcile: claim a round's orders (reconcile.ts)",
      `with stale as (select merchant_uid from orders where status in ('pending', 'ready')
          and updated_at < now() - make_interval(secs => 300)
          and created_at > now() - make_interval(secs => 604800)
          order by updated_at limit 100 for update skip locked)
        update orders set updated_at = now() from stale
        where orders.merchant_uid = stale.merchant_uid returning orders.merchant_uid`,
      [],
    ],
    [
      "admin: list, first page (newest first, 50)",
      "select * from orders order by created_at desc, merchant_uid desc limit 50",
      [],
    ],
    [
      "admin: list, deep page by OFFSET (90 % deep)",
      "select * from orders order by created_at desc, merchant_uid desc offset $1::int limit 50",
      [Math.floor(size * 0.9)],
    ],
    [
      "admin: list, deep page by keyset (90 % deep)",
      `select * from orders where (created_at, merchant_uid) < ($1::timestamptz, $2::text)
        order by created_at desc, merchant_uid desc limit 50`,
      [deep?.created_at, deep?.merchant_uid],
    ],
    ["admin: search by merchant_uid", "select * from orders where merchant_uid = $1::text", [some]],
    [
      "admin: search by imp_uid",
      "select * from orders where imp_uid = $1::text",
      [`imp_bulk_${Math.max(75, Math.floor(size * 0.9) - (Math.floor(size * 0.9) % 100) + 75)}`],
    ],
    [
      "admin: search by buyer email",
      "select * from orders where buyer_email = $1::text order by created_at desc limit 50",
      ["buyer4242@example.com"],
    ],
    [
      "admin: an order's payment_events",
      "select * from payment_events where merchant_uid = $1::text order by id",
      [some],
    ],
    ["GET /orders/:merchant_uid", "select * from orders where merchant_uid = $1::text", [some]],
  ];
  const plans: Plan[] = [];
  for (const [name, text, params] of queries) plans.push(await explain(sql, name, text, params));
  const databaseMb =
    (await scalar(sql, "select pg_database_size(current_database())::bigint as n")) / 1e6;
  const eventsMb =
    (await scalar(sql, "select pg_total_relation_size('payment_events')::bigint as n")) / 1e6;
  return {
    orders: size,
    verify,
    verifyCpuMs,
    webhook,
    getOrder,
    reconcile: { ms: reconcileMs, checked: round.checked, due, roundsBeforeFresh },
    queries: plans,
    databaseMb,
    eventsMb,
  };
}

async function scalar(sql: postgres.Sql, text: string): Promise<number> {
  const [row] = await sql.unsafe(text);
  return Number(row?.n ?? 0);
}

/** EXPLAIN ANALYZE inside a transaction that is rolled back: writes leave nothing behind. */
async function explain(
  sql: postgres.Sql,
  name: string,
  text: string,
  params: unknown[],
): Promise<Plan> {
  let lines: string[] = [];
  await sql
    .begin(async (tx) => {
      const rows = await tx.unsafe(`explain (analyze, buffers) ${text}`, params as never[]);
      lines = rows.map((r) => String(r["QUERY PLAN"]));
      throw new Error("rollback");
    })
    .catch((error: Error) => {
      if (error.message !== "rollback") throw error;
    });
  const execution = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean);
  const planning = lines.map((l) => /Planning Time: ([\d.]+) ms/.exec(l)).find(Boolean);
  return {
    name,
    ms: Number(execution?.[1] ?? Number.NaN) + Number(planning?.[1] ?? 0),
    seqScan: lines.some((l) => /Seq Scan on (orders|payment_events)/.test(l)),
    text: lines.filter((l) => !/^\s*(Planning|Execution)/.test(l)).join("\n"),
  };
}

function render(results: SizeResult[], loadBefore: number[], seconds: number): string {
  const [small, big] = results as [SizeResult, SizeResult];
  const out: string[] = [];
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
  const ratio = (a: number, b: number) => (b > 0 ? `${f(a / b, 2)}×` : "n/a");
  // Within 1.5×, or within a millisecond: below that, timer resolution and a busy machine decide.
  const within = (a: number, b: number) => (a <= 1.5 * b || a - b < 1 ? "met" : "**missed**");
  out.push(
    `# Scale: ${small.orders.toLocaleString("en-US")} vs ${big.orders.toLocaleString("en-US")} orders (PostgreSQL)`,
    "",
  );
  out.push(
    `Machine: ${cpus().length} cores, Node ${process.version}; load average ${loadBefore.map((n) => n.toFixed(2)).join(" / ")} at the start; ${new Date().toISOString()}, ${seconds} s. Reproduce: \`DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench:scale\` (\`BENCH_SCALE_ORDERS\`, \`BENCH_SCALE_SAMPLES\`).`,
    "",
    "Mix: 70 % abandoned `pending`, 15 % `paid`, 3 % partly refunded, 5 % `failed`, 4 % `ready` virtual accounts, 3 % `ready` past due; created over 90 days; `payment_events` one per settled order and two per paid one.",
    "",
  );
  out.push(
    `| figure | ${small.orders.toLocaleString("en-US")} | ${big.orders.toLocaleString("en-US")} | ratio | within 1.5× |`,
    "| --- | --- | --- | --- | --- |",
  );
  const row = (name: string, a: number, b: number, unit: string, check = true) =>
    out.push(
      `| ${name} | ${f(a)} ${unit} | ${f(b)} ${unit} | ${ratio(b, a)} | ${check ? within(b, a) : "—"} |`,
    );
  row("verify p50 (1 conn.)", small.verify.p50, big.verify.p50, "ms");
  row("verify p99 (1 conn.)", small.verify.p99, big.verify.p99, "ms");
  row("server CPU per verification", small.verifyCpuMs, big.verifyCpuMs, "ms");
  row("webhook p50 (1 conn.)", small.webhook.p50, big.webhook.p50, "ms");
  row("webhook p99 (1 conn.)", small.webhook.p99, big.webhook.p99, "ms");
  row("GET /orders/:merchant_uid p50", small.getOrder.p50, big.getOrder.p50, "ms");
  row("GET /orders/:merchant_uid p99", small.getOrder.p99, big.getOrder.p99, "ms");
  row(
    "reconcile round (claim + one Iamport look-up per order)",
    small.reconcile.ms,
    big.reconcile.ms,
    "ms",
  );
  out.push(
    `| reconcile: orders claimed in the round | ${small.reconcile.checked} | ${big.reconcile.checked} | | — |`,
  );
  out.push(
    `| reconcile: due orders (pending/ready, past grace, under 7 days) | ${small.reconcile.due} | ${big.reconcile.due} | | — |`,
  );
  out.push(
    `| reconcile: rounds before a fresh lost-webhook order is looked at | ${small.reconcile.roundsBeforeFresh} | ${big.reconcile.roundsBeforeFresh} | | ${big.reconcile.roundsBeforeFresh <= 3 ? "met" : "**missed**"} |`,
  );
  small.queries.forEach((q, i) => {
    const b = big.queries[i] as Plan;
    row(`${q.name}${b.seqScan ? " (**seq scan**)" : ""}`, q.ms, b.ms, "ms");
  });
  row("database size", small.databaseMb, big.databaseMb, "MB", false);
  row("payment_events size", small.eventsMb, big.eventsMb, "MB", false);
  out.push("", `## Plans at ${big.orders.toLocaleString("en-US")} orders`, "");
  for (const q of big.queries) out.push(`### ${q.name}`, "", "```", q.text, "```", "");
  return out.join("\n");
}

await main();
