/**
 * The scale run: what the hot paths cost as a shop's orders pile up, on PostgreSQL only.
 * Fills a scratch database with a realistic mix of orders by bulk insert (generate_series, not
 * through the API), first to 1 k then to BENCH_SCALE_ORDERS (default 1 M), and at each size
 * measures, through the server and the sandbox in their own processes: verification and webhook
 * latency and CPU, GET /orders/:merchant_uid, the admin API's list, search, order detail and
 * refunds-required list, reconciliation with many abandoned orders due (one round, and how many
 * rounds a fresh order whose webhook was lost waits), and the database size. Every statement
 * those requests ran is recorded by the server (BENCH_RECORD_STATEMENTS) and EXPLAINed
 * (ANALYZE, BUFFERS) with its own parameters.
 *
 * `pnpm bench:scale` runs it alone and writes bench-results/scale.md; `pnpm bench` runs it as its
 * `scale` part (run.ts) and puts the same table in bench-results/latest.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { sandboxDefaults } from "@iamport-pay/sandbox";
import {
  createIamportClient,
  createScratchDatabase,
  type Db,
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

export interface ScaleSettings {
  /** A PostgreSQL URL; the run makes (and drops) its own scratch database beside it. */
  baseUrl: string;
  /** The large size (BENCH_SCALE_ORDERS, default 1 M); the small one is 1 k. */
  orders: number;
  /** Verifications, webhooks and order reads per size (BENCH_SCALE_SAMPLES, default 200). */
  samples: number;
}

export function scaleSettingsFromEnv(baseUrl: string): ScaleSettings {
  return {
    baseUrl,
    orders: Number(process.env.BENCH_SCALE_ORDERS || 1_000_000),
    samples: Number(process.env.BENCH_SCALE_SAMPLES || 200),
  };
}

const ADMIN_TOKEN = "bench-scale-admin-token-0123456789abcdef";
/** The grace the reconciliation rounds use here (the server's default is 5 minutes). */
const GRACE_MS = 2_000;
/** Requests per admin route and size. */
const ADMIN_SAMPLES = 40;
/** Rounds the lost-webhook scenario may take before it is reported as missed. */
const MAX_ROUNDS = 20;

interface Plan {
  name: string;
  /** Planning + execution, from EXPLAIN ANALYZE. */
  ms: number;
  /** Shared buffers hit + read by the whole statement. */
  buffers: number;
  /** Rows the statement's top node returned (or wrote). */
  rows: number;
  seqScan: boolean;
  indexes: string[];
  text: string;
}

interface Timed {
  name: string;
  result: LoadResult;
}

interface Reconciliation {
  /** Unsettled orders due for a look-up when the scenario starts. */
  due: number;
  firstRoundMs: number;
  firstRoundChecked: number;
  /** Rounds until the fresh order whose webhook was lost was paid (Infinity: not within MAX_ROUNDS). */
  roundsToSettle: number;
  /** From the moment it was due (paid + grace) to settled. */
  msToSettle: number;
}

interface SizeResult {
  orders: number;
  verifyCpuMs: number;
  timed: Timed[];
  reconcile: Reconciliation;
  plans: Plan[];
  databaseMb: number;
  ordersMb: number;
  eventsMb: number;
}

/**
 * The mix, by g % 100: 70 abandoned `pending`, 15 `paid`, 3 partly refunded (`cancelled`),
 * 5 `failed`, 4 virtual accounts `ready` (due ahead), 3 `ready` past their due date. Orders are
 * spread over the last 90 days; settled ones were updated a minute after creation. Each buyer
 * (e-mail) has three orders, at any size; merchant_uids have a fixed width. The reconciliation
 * schedule is what the reconciler would have left: unsettled orders past their
 * age limit (7 days; failed 1 day) retired ('infinity'), younger ones with a few misses behind
 * them (reset() below makes them all due).
 */
const insertOrders = `
  insert into orders (merchant_uid, name, amount, currency, items, status, imp_uid, pay_method,
    cancel_amount, vbank, reason, payment, paid_at, buyer_name, buyer_email, buyer_tel,
    created_at, updated_at, next_check_at, lookup_misses)
  select m.uid, 'Mug and 1 more', m.amount, 'KRW',
    jsonb_build_array(jsonb_build_object('sku', 'mug-002', 'name', 'Mug', 'quantity', 1, 'amount', m.amount)),
    m.status,
    case when m.status = 'pending' then null else 'imp_' || m.uid end,
    case when m.status = 'pending' then null when m.status = 'ready' then 'vbank' else 'card' end,
    case when m.status = 'cancelled' then 3000 else 0 end,
    case when m.status = 'ready' then jsonb_build_object('bank_code', '004', 'bank_name', 'KB',
      'number', '123-' || g, 'holder', 'Shop', 'due', to_char(m.due, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) end,
    case when m.status = 'failed' then 'Card declined' end,
    case when m.status = 'pending' then null else jsonb_build_object('imp_uid', 'imp_' || m.uid,
      'merchant_uid', m.uid, 'amount', m.amount, 'cancel_amount',
      case when m.status = 'cancelled' then 3000 else 0 end, 'currency', 'KRW', 'status',
      case when m.status = 'cancelled' then 'paid' else m.status end, 'pay_method', 'card',
      'pg_provider', 'html5_inicis', 'name', 'Mug and 1 more', 'buyer_email', m.email,
      'paid_at', extract(epoch from m.created)::bigint + 60, 'receipt_url',
      'https://iniweb.inicis.com/receipt/' || g) end,
    case when m.status in ('paid', 'cancelled') then m.created + interval '1 minute' end,
    'Buyer ' || (g % 100000), m.email, '010-' || lpad((g % 10000)::text, 4, '0') || '-' || lpad((g % 9973)::text, 4, '0'),
    m.created,
    case when m.status = 'pending' then m.created else m.created + interval '1 minute' end,
    case
      when m.status in ('pending', 'ready') and m.created < now() - interval '7 days' then 'infinity'
      when m.status = 'failed' and m.created < now() - interval '1 day' then 'infinity'
      else m.created end,
    case when m.status in ('pending', 'ready', 'failed') then 6 else 0 end
  from generate_series($1::int, $2::int) g
  cross join lateral (select
    case when g % 100 < 70 then 'pending' when g % 100 < 85 then 'paid'
      when g % 100 < 88 then 'cancelled' when g % 100 < 93 then 'failed' else 'ready' end as status,
    now() - ((g::bigint * 7919) % (90 * 86400)) * interval '1 second' as created,
    now() + case when g % 100 < 97 then interval '3 days' else interval '-2 days' end as due,
    12000 + (g % 5) * 1000 as amount,
    'buyer' || (g % greatest(1, $3::int / 3)) || '@example.com' as email,
    'bulk_' || lpad(g::text, 8, '0') as uid) m`;

/** One event per settled order, and a second (the webhook after the completion) for paid ones. */
const insertEvents = `
  insert into payment_events (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status,
    decision, payment, created_at)
  select e.source, o.imp_uid, o.merchant_uid, o.merchant_uid, o.payment->>'status',
    case when e.source = 'client' then o.status else 'no_change' end, o.payment, o.updated_at
  from orders o
  cross join lateral (values ('client'), ('webhook')) e(source)
  where o.merchant_uid in (select 'bulk_' || lpad(g::text, 8, '0') from generate_series($1::int, $2::int) g)
    and o.status <> 'pending' and (e.source = 'client' or o.status = 'paid')`;

/**
 * Many abandoned orders due at once (after an outage, say): every unsettled order the reconciler
 * still watches became due between one and two hours ago.
 */
const makeDue = `update orders set
    next_check_at = now() - interval '1 hour' - (abs(hashtext(merchant_uid)) % 3600) * interval '1 second',
    lookup_misses = 6
  where status in ('pending', 'ready', 'failed') and next_check_at < 'infinity'`;

/** g of the bulk orders with a payment (settled ones: g % 100 ≥ 70), spread over the table. */
const settledG = (size: number, i: number) => {
  const base = Math.max(0, Math.floor((((i * 7919) % size) + 1) / 100) * 100);
  return Math.min(size - (size % 100 === 0 ? 25 : 0), base + 75 + (i % 10));
};

/** The bulk orders' merchant_uid: fixed width, as most shops' order numbers are. */
const uid = (g: number) => `bulk_${String(g).padStart(8, "0")}`;

/**
 * Rounds of measurement (BENCH_SCALE_ROUNDS, default 2): each round measures the small shop, then
 * the large one, each through its own server; every figure is the best of its rounds. Alternating
 * keeps a busy machine's swings from landing on one size only.
 */
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS || 2);

interface Shop {
  size: number;
  drop(): Promise<void>;
  opened: Db;
  sql: postgres.Sql;
  server: Service;
}

export async function runScale(
  settings: ScaleSettings,
  log: (message: string) => void,
): Promise<string> {
  const loadBefore = loadavg();
  const started = Date.now();
  const sandbox = await startService({
    name: "sandbox",
    script: "sandbox/src/main.ts",
    port: await freePort(),
    readyPath: "/control/faults",
    env: {},
  });
  const shops: Shop[] = [];
  let results: SizeResult[] = [];
  try {
    // One scratch database and one server per size, filled before any measurement.
    for (const size of [1_000, settings.orders]) {
      const scratch = await createScratchDatabase(settings.baseUrl, "scale");
      const opened = await openDb(scratch.url).catch(async (error: unknown) => {
        await scratch.drop();
        throw error;
      });
      const sql = postgres(scratch.url, { max: 2, onnotice: () => {} });
      const drop = async () => {
        await sql.end({ timeout: 5 });
        await opened.close();
        await scratch.drop();
      };
      log(`bulk insert of ${size} orders`);
      const t = performance.now();
      try {
        await sql.unsafe(insertOrders, [1, size, size]);
        await sql.unsafe(insertEvents, [1, size]);
        await sql`vacuum analyze orders`;
        await sql`vacuum analyze payment_events`;
      } catch (error) {
        await drop();
        throw error;
      }
      log(`  ${Math.round((performance.now() - t) / 1000)} s`);
      const server = await startVerifyServer(
        sandbox,
        { kind: "postgres", url: scratch.url, drop: async () => {} },
        [],
        { ADMIN_TOKEN, BENCH_RECORD_STATEMENTS: "1" },
      ).catch(async (error: unknown) => {
        await drop();
        throw error;
      });
      shops.push({ size, drop, opened, sql, server });
    }
    const rounds: SizeResult[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const measured: SizeResult[] = [];
      for (const shop of shops) {
        log(`round ${round}, ${shop.size} orders`);
        measured.push(
          await measure(
            shop.size,
            settings.samples,
            shop.sql,
            shop.opened,
            shop.server,
            sandbox,
            log,
          ),
        );
      }
      rounds.push(measured);
    }
    results = shops.map((_, i) => bestOf(rounds.map((measured) => measured[i] as SizeResult)));
  } finally {
    for (const shop of shops) {
      await shop.server.stop();
      await shop.drop();
    }
    await sandbox.stop();
  }
  return render(results, loadBefore, Math.round((Date.now() - started) / 1000));
}

/**
 * Each figure's best over the rounds (its lowest latency, CPU, statement time), since a loaded
 * machine only ever adds time; the lost-webhook wait is the worst round's, and the sizes the
 * last round's.
 */
function bestOf(rounds: SizeResult[]): SizeResult {
  const last = rounds.at(-1) as SizeResult;
  const min = (values: number[]) => Math.min(...values);
  return {
    ...last,
    verifyCpuMs: min(rounds.map((r) => r.verifyCpuMs)),
    timed: last.timed.map((t, i) => {
      const all = rounds.map((r) => (r.timed[i] as Timed).result);
      return {
        name: t.name,
        result: {
          ...t.result,
          p50: min(all.map((x) => x.p50)),
          p99: min(all.map((x) => x.p99)),
          errors: all.reduce((sum, x) => sum + x.errors, 0),
        },
      };
    }),
    plans: last.plans.map((p) =>
      rounds
        .flatMap((r) => r.plans.filter((x) => x.name === p.name))
        .reduce((best, x) => (x.ms < best.ms ? x : best), p),
    ),
    reconcile: {
      ...last.reconcile,
      firstRoundMs: min(rounds.map((r) => r.reconcile.firstRoundMs)),
      roundsToSettle: Math.max(...rounds.map((r) => r.reconcile.roundsToSettle)),
      msToSettle: Math.max(...rounds.map((r) => r.reconcile.msToSettle)),
    },
  };
}

/** The statements the server ran since the last call (BENCH_RECORD_STATEMENTS). */
async function statementsOf(
  server: Service,
): Promise<{ text: string; params: readonly unknown[] }[]> {
  const answer = await fetch(`${server.url}/bench/statements`);
  return (await answer.json()) as { text: string; params: unknown[] }[];
}

async function measure(
  size: number,
  samples: number,
  sql: postgres.Sql,
  opened: Db,
  server: Service,
  sandbox: Service,
  log: (message: string) => void,
): Promise<SizeResult> {
  const timed: Timed[] = [];
  const plans: Plan[] = [];
  /** Runs one request alone and EXPLAINs every statement it sent. */
  const explainRequest = async (name: string, send: () => Promise<unknown>) => {
    await statementsOf(server);
    await send();
    const seen = new Set<string>();
    for (const { text, params } of await statementsOf(server)) {
      if (seen.has(text)) continue;
      seen.add(text);
      plans.push(await explain(sql, `${name}: ${firstWords(text)}`, text, params));
    }
  };

  log(`${size}: verification and webhook (1 connection, ${samples} each)`);
  const { payments } = await ordersAndPayments(server, sandbox, 2 * samples + 2, 8);
  const forVerify = payments.slice(0, samples);
  const forWebhook = payments.slice(samples, 2 * samples);
  const [verifyProbe, webhookProbe] = payments.slice(2 * samples) as [Payment, Payment];
  // Warm up (token, prepared statements) on the first fifth, at most 20.
  const warm = Math.min(20, Math.floor(samples / 5));
  if (warm > 0) await verifyLoad(server, forVerify.slice(0, warm), 1);
  const cpuBefore = await cpuSnapshot(server, sandbox);
  const verify = await verifyLoad(server, forVerify.slice(warm), 1);
  const verifyCpuMs = cpuPerRequest(cpuBefore, await cpuSnapshot(server, sandbox), verify).server;
  timed.push({ name: "verify (POST /payments/complete)", result: verify });
  const webhookBody = (p: Payment) => ({
    imp_uid: p.imp_uid,
    merchant_uid: p.merchant_uid,
    status: "paid",
  });
  timed.push({
    name: "webhook (POST /iamport-webhook)",
    result: await load({
      url: server.url,
      connections: 1,
      amount: forWebhook.length,
      method: "POST",
      request: (i) => ({
        path: "/iamport-webhook",
        body: webhookBody(forWebhook[i % forWebhook.length] as Payment),
      }),
    }),
  });
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.text());
  await explainRequest("verify", () =>
    post("/payments/complete", {
      imp_uid: verifyProbe.imp_uid,
      merchant_uid: verifyProbe.merchant_uid,
    }),
  );
  await explainRequest("webhook", () => post("/iamport-webhook", webhookBody(webhookProbe)));

  log(`${size}: GET /orders/:merchant_uid and the admin API`);
  const getOrderPath = (i: number) => `/orders/${uid(1 + ((i * 7919) % size))}`;
  timed.push({
    name: "GET /orders/:merchant_uid",
    result: await load({
      url: server.url,
      connections: 1,
      amount: samples,
      method: "GET",
      request: (i) => ({ path: getOrderPath(i) }),
    }),
  });
  await explainRequest("GET /orders/:merchant_uid", () =>
    fetch(`${server.url}${getOrderPath(7)}`).then((r) => r.text()),
  );

  // A cursor 90 % deep, as the API would have given it after paging that far.
  const [deep] = await sql.unsafe(
    `select created_at::text as k, merchant_uid from orders
      order by created_at desc, merchant_uid desc offset $1::int limit 1`,
    // At least a page after it, at either size.
    [Math.min(Math.floor(size * 0.9), size - 100)],
  );
  const cursor = Buffer.from(
    JSON.stringify([String(deep?.k), String(deep?.merchant_uid)]),
    "utf8",
  ).toString("base64url");
  const q = (text: string) => `/admin/orders?q=${encodeURIComponent(text)}`;
  const admin: [string, (i: number) => string][] = [
    ["admin list, first page (50)", () => "/admin/orders?limit=50"],
    [
      "admin list, a page 90 % deep (keyset cursor)",
      () => `/admin/orders?limit=50&cursor=${cursor}`,
    ],
    ["admin search: merchant_uid", (i) => q(uid(1 + ((i * 7919) % size)))],
    ["admin search: imp_uid", (i) => q(`imp_${uid(settledG(size, i))}`)],
    [
      "admin search: buyer e-mail",
      (i) => q(`buyer${(i * 7919) % Math.floor(size / 3)}@example.com`),
    ],
    ["admin order detail (with events)", (i) => `/admin/orders/${uid(settledG(size, i))}`],
    ["admin refunds-required list", () => "/admin/refunds-required"],
  ];
  // The refunds-required list reads all of payment_events (see docs/benchmarks.md): fewer samples.
  const samplesOf = (name: string) => (name.includes("refunds-required") ? 10 : ADMIN_SAMPLES);
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  for (const [name, path] of admin) {
    timed.push({
      name,
      result: await load({
        url: server.url,
        connections: 1,
        amount: samplesOf(name),
        method: "GET",
        headers: auth,
        request: (i) => ({ path: path(i) }),
        check: (status) => status === 200,
      }),
    });
    await explainRequest(name, () =>
      fetch(`${server.url}${path(3)}`, { headers: auth }).then((r) => r.text()),
    );
  }

  log(`${size}: reconciliation with every watched unsettled order due`);
  const reconcile = await lostWebhook(size, sql, opened, server, sandbox, plans);

  const mb = async (text: string) => (await scalar(sql, text)) / 1e6;
  return {
    orders: size,
    verifyCpuMs,
    timed,
    reconcile,
    plans,
    databaseMb: await mb("select pg_database_size(current_database())::bigint as n"),
    ordersMb: await mb("select pg_total_relation_size('orders')::bigint as n"),
    eventsMb: await mb("select pg_total_relation_size('payment_events')::bigint as n"),
  };
}

/**
 * Makes every watched unsettled order due, pays a fresh order in the sandbox with no webhook,
 * and runs rounds back to back until reconciliation settles it.
 */
async function lostWebhook(
  size: number,
  sql: postgres.Sql,
  opened: Db,
  server: Service,
  sandbox: Service,
  plans: Plan[],
): Promise<Reconciliation> {
  await sql.unsafe(makeDue);
  await sql`analyze orders`;
  const due = await scalar(
    sql,
    `select count(*)::int as n from orders where status in ('pending', 'ready', 'failed')
      and next_check_at <= now() - make_interval(secs => ${GRACE_MS / 1000})`,
  );
  const created = (await (
    await fetch(`${server.url}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: [{ sku: "mug-002", quantity: 1 }] }),
    })
  ).json()) as { merchant_uid: string; amount: number };
  const paid = await fetch(`${sandbox.url}/control/payments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      merchant_uid: created.merchant_uid,
      amount: created.amount,
      sandbox: false,
    }),
  });
  if (paid.status !== 201) throw new Error(`sandbox payment failed: ${paid.status}`);
  const dueAt = Date.now() + GRACE_MS;
  // The grace has to pass in real time: the claim compares with now().
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 100));

  const recorded: { text: string; params: readonly unknown[] }[] = [];
  const db: Db = {
    ...opened,
    query(text, params) {
      recorded.push({ text, params });
      return opened.query(text, params);
    },
    close: () => opened.close(),
  };
  const iamport = createIamportClient({
    baseUrl: sandbox.url,
    key: sandboxDefaults.impKey,
    secret: sandboxDefaults.impSecret,
  });
  const deps = { db, iamport, cancelForged: true, refuseSandboxPayments: false, log: silentLogger };
  let firstRoundMs = 0;
  let firstRoundChecked = 0;
  let roundsToSettle = Number.POSITIVE_INFINITY;
  let msToSettle = Number.NaN;
  try {
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const t = performance.now();
      const summary = await reconcileOnce(deps, { graceMs: GRACE_MS });
      if (round === 1) {
        firstRoundMs = performance.now() - t;
        firstRoundChecked = summary.checked;
      }
      const [row] =
        await sql`select status from orders where merchant_uid = ${created.merchant_uid}`;
      if (row?.status === "paid") {
        roundsToSettle = round;
        msToSettle = Date.now() - dueAt;
        break;
      }
    }
  } finally {
    await iamport.close?.();
  }
  // The claim as the first round sent it, on the state that round saw (every watched order due
  // again; the fresh one is paid by now).
  const claim = recorded.find((s) => /for update skip locked/.test(s.text));
  await sql.unsafe(makeDue);
  if (claim)
    plans.push(
      await explain(sql, "reconcile: claim a round's due orders", claim.text, claim.params),
    );
  log(`  ${size}: ${due} due; settled in ${roundsToSettle} round(s)`);
  return { due, firstRoundMs, firstRoundChecked, roundsToSettle, msToSettle };
}

const log = (message: string) => console.error(`bench:scale: ${message}`);

function firstWords(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 70 ? `${flat.slice(0, 67)}…` : flat;
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
  params: readonly unknown[],
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
  // The first Buffers line belongs to the top node: the whole statement's.
  const top = lines.find((l) => /^\s*Buffers: shared/.test(l)) ?? "";
  const buffers =
    Number(/hit=(\d+)/.exec(top)?.[1] ?? 0) + Number(/read=(\d+)/.exec(top)?.[1] ?? 0);
  const indexes = [
    ...new Set(
      lines.flatMap((l) => {
        const m =
          /(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/.exec(
            l,
          );
        return m?.[1] ? [m[1]] : [];
      }),
    ),
  ];
  return {
    name,
    ms: Number(execution?.[1] ?? Number.NaN) + Number(planning?.[1] ?? 0),
    buffers,
    rows: Number(/actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(lines[0] ?? "")?.[1] ?? 0),
    seqScan: lines.some((l) => /Seq Scan on /.test(l)),
    indexes,
    text: [
      text.replace(/\s+/g, " ").trim(),
      "",
      ...lines.filter((l) => !/^\s*Planning/.test(l)),
    ].join("\n"),
  };
}

export function render(results: SizeResult[], loadBefore: number[], seconds: number): string {
  const [small, big] = results as [SizeResult, SizeResult];
  const out: string[] = [];
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
  const ratio = (a: number, b: number) => (b > 0 ? `${f(a / b, 2)}×` : "n/a");
  // Within 1.5×, or within `slack` ms (1 by default): below that, timer resolution (1 ms for HTTP
  // latencies) and a busy machine decide.
  const within = (a: number, b: number, slack = 1) =>
    a <= 1.5 * b || a - b < slack ? "met" : "**missed**";
  const n = (x: number) => x.toLocaleString("en-US");
  out.push(`## Scale: ${n(small.orders)} vs ${n(big.orders)} orders (PostgreSQL)`, "");
  out.push(
    `Machine: ${cpus().length} cores, Node ${process.version}; load average ${loadBefore.map((x) => x.toFixed(2)).join(" / ")} at the start; ${new Date().toISOString()}, ${seconds} s. Reproduce: \`DATABASE_URL=postgres://… pnpm bench:scale\` (\`BENCH_SCALE_ORDERS\`, \`BENCH_SCALE_SAMPLES\`).`,
    "",
    "Mix: 70 % abandoned `pending`, 15 % `paid`, 3 % partly refunded, 5 % `failed`, 4 % `ready` virtual accounts, 3 % `ready` past due; created over 90 days; three orders per buyer e-mail; fixed-width merchant_uids (`bulk_00000042`); `payment_events` one per settled order and two per paid one. Unsettled orders past the reconciler's age limit are retired; every younger one is made due for the reconciliation figures. Requests at 1 connection, one at a time. Each size has its own database and server; " +
      `${ROUNDS}` +
      " rounds alternate between them and each figure is its best round (the lost-webhook wait its worst). Each round also makes a few hundred orders through the API in both.",
    "",
  );
  out.push(
    `| figure | ${n(small.orders)} | ${n(big.orders)} | ratio | within 1.5× |`,
    "| --- | --- | --- | --- | --- |",
  );
  const row = (name: string, a: number, b: number, unit: string, check = true, slack = 1) =>
    out.push(
      `| ${name} | ${f(a)} ${unit} | ${f(b)} ${unit} | ${ratio(b, a)} | ${check ? within(b, a, slack) : "—"} |`,
    );
  small.timed.forEach((s, i) => {
    const b = big.timed[i] as Timed;
    const errors = s.result.errors + b.result.errors;
    row(
      `${s.name}: p50${errors ? ` (**${errors} errors**)` : ""}`,
      s.result.p50,
      b.result.p50,
      "ms",
      true,
      2,
    );
    row(`${s.name}: p99`, s.result.p99, b.result.p99, "ms", true, 5);
  });
  row("server CPU per verification", small.verifyCpuMs, big.verifyCpuMs, "ms", true, 0.5);
  const r = (x: SizeResult) => x.reconcile;
  out.push(`| reconcile: due orders at the start | ${n(r(small).due)} | ${n(r(big).due)} | | — |`);
  row("reconcile: first round", r(small).firstRoundMs, r(big).firstRoundMs, "ms", false);
  out.push(
    `| reconcile: orders checked in it | ${r(small).firstRoundChecked} | ${r(big).firstRoundChecked} | | — |`,
  );
  row(
    "reconcile: first round per order checked",
    r(small).firstRoundMs / Math.max(1, r(small).firstRoundChecked),
    r(big).firstRoundMs / Math.max(1, r(big).firstRoundChecked),
    "ms",
  );
  const settled = (x: Reconciliation) =>
    Number.isFinite(x.roundsToSettle)
      ? `${x.roundsToSettle} (${f(x.msToSettle / 1000)} s after due)`
      : `not in ${MAX_ROUNDS}`;
  out.push(
    `| reconcile: rounds until a fresh lost-webhook payment is settled | ${settled(r(small))} | ${settled(r(big))} | | ${r(big).roundsToSettle <= 3 ? "met" : "**missed**"} |`,
  );
  for (const p of small.plans) {
    const b = big.plans.find((x) => x.name === p.name);
    if (!b) continue;
    const flags = `${b.seqScan ? " **seq scan**" : ""}${b.indexes.length ? ` (${b.indexes.join(", ")})` : ""}`;
    out.push(
      `| EXPLAIN ${p.name}${flags} | ${f(p.ms, 2)} ms · ${p.buffers} buf | ${f(b.ms, 2)} ms · ${b.buffers} buf | ${ratio(b.ms, p.ms)} | ${b.seqScan ? "**missed**" : within(b.ms, p.ms)} |`,
    );
  }
  const claimOf = (x: SizeResult) => x.plans.find((p) => p.name.startsWith("reconcile: claim"));
  const [cs, cb] = [claimOf(small), claimOf(big)];
  if (cs && cb) {
    row(
      `reconcile claim: buffers per order claimed (${cs.rows} · ${cb.rows} claimed)`,
      cs.buffers / Math.max(1, cs.rows),
      cb.buffers / Math.max(1, cb.rows),
      "buf",
    );
  }
  row("database size", small.databaseMb, big.databaseMb, "MB", false);
  row("orders, with its indexes", small.ordersMb, big.ordersMb, "MB", false);
  row("payment_events, with its indexes", small.eventsMb, big.eventsMb, "MB", false);
  out.push(
    "",
    "EXPLAIN rows: planning + execution time of EXPLAIN (ANALYZE, BUFFERS) of each statement the request ran, with the parameters it ran with (writes rolled back), and the shared buffers it touched; the indexes its plan used.",
    "",
  );
  for (const size of [big, small]) {
    out.push(`<details><summary>Plans at ${n(size.orders)} orders</summary>`, "");
    for (const p of size.plans) out.push(`#### ${p.name}`, "", "```", p.text, "```", "");
    out.push("</details>", "");
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL ?? "";
  if (!/^postgres(ql)?:\/\//.test(base)) {
    console.error("bench:scale needs DATABASE_URL=postgres://… (PostgreSQL only)");
    process.exit(1);
  }
  const markdown = await runScale(scaleSettingsFromEnv(base), log);
  await mkdir(`${repoRoot}bench-results`, { recursive: true });
  await writeFile(`${repoRoot}bench-results/scale.md`, markdown);
  console.log(markdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
