/**
 * `pnpm bench`: the server's verification throughput and latency against the sandbox (each in its
 * own process), its ceilings, a webhook storm, order creation, verification behind a distant
 * Iamport, and the widget's size and timings. Prints a markdown report and writes it to
 * bench-results/latest.md. Request counts come from the environment (see `settings`).
 */
import { spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { type BenchDatabase, pgliteDatabase, postgresDatabase } from "./databases.js";
import { type LoadResult, load } from "./load.js";
import { freePort, repoRoot, type Service, startService } from "./processes.js";
import { type ProfileSummary, summariseProfile } from "./profile.js";
import { type Report, renderReport } from "./report.js";
import { callsBetween, sandboxControl } from "./sandbox-control.js";
import { runScale, scaleSettingsFromEnv } from "./scale.js";
import {
  type CpuSnapshot,
  cpuPerRequest,
  cpuSnapshot,
  keys,
  ordersAndPayments,
  type Payment,
  startVerifyServer,
  verifyLoad,
} from "./verification.js";
import { versus } from "./versus.js";
import { bundleSizes, widgetTimings } from "./widget.js";

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  return value;
}

const settings = {
  /** Verifications at 16 and at 64 connections (each). */
  verify: count("BENCH_VERIFY_REQUESTS", 3000),
  /** Verifications at 1 connection. */
  serial: count("BENCH_SERIAL_REQUESTS", 300),
  /** Orders in the webhook storm (each: 1 completion, 2 webhooks). */
  storm: count("BENCH_STORM_ORDERS", 1000),
  /** Verifications behind the 40 ms sandbox latency, at 1 connection. */
  latency: count("BENCH_LATENCY_REQUESTS", 50),
  /** Requests per ceiling. */
  ceiling: count("BENCH_CEILING_REQUESTS", 5000),
  /** Verifications per round per server in the comparison with the guide's server (32 conn.). */
  versus: count("BENCH_VERSUS_REQUESTS", 1500),
  /**
   * Alternating rounds in that comparison: rates on a shared 2-core machine drift by a third
   * within minutes, and every server must see the slow minutes and the fast ones alike.
   */
  versusRounds: count("BENCH_VERSUS_ROUNDS", 4),
  /** Verifications behind the 40 ms sandbox latency at 32 connections, per server. */
  latency32: count("BENCH_LATENCY32_REQUESTS", 640),
  /** Page loads for the widget's medians. */
  widgetRuns: count("BENCH_WIDGET_RUNS", 20),
};
/** `auto` profiles when PostgreSQL verification is under half of ceiling (a); or always/never. */
const profileMode = process.env.BENCH_PROFILE ?? "auto";
const postgresUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "")
  ? process.env.DATABASE_URL
  : undefined;
/**
 * Which parts run (BENCH_PARTS, comma-separated; default all): for iterating on one. `scale`
 * (scale.ts: 1 k against BENCH_SCALE_ORDERS orders) runs on PostgreSQL only, so it is in the
 * default only when DATABASE_URL names one.
 */
const parts = new Set(
  (process.env.BENCH_PARTS || `ceilings,versus,databases,widget${postgresUrl ? ",scale" : ""}`)
    .split(",")
    .map((p) => p.trim()),
);
const LATENCY_MS = 40;
const log = (message: string) => console.error(`bench: ${message}`);

export interface DatabaseResult {
  kind: BenchDatabase["kind"];
  orders: LoadResult;
  serial: LoadResult;
  verify16: LoadResult;
  verify64: LoadResult;
  /** Iamport calls per verification across the three verify runs. */
  callsPerVerification: number;
  /** getToken calls during this server's life (expected 1). */
  tokenRequests: number;
  storm: {
    completions: LoadResult;
    webhooks: LoadResult;
    orders: number;
    notPaid: number;
    hooksNotOnce: number;
    eventsNotOnce: number;
  };
  latency: LoadResult;
  /** The sandbox's GET /payments/{id} under the same fault, at 1 connection. */
  latencyBaseline: LoadResult;
  /** CPU ms per verification at 64 connections, by process. */
  cpu64: CpuSnapshot;
  latencyCallsPerVerification: number;
  peakRssMb: number;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)),
    );
  });
}

async function benchDatabase(sandbox: Service, database: BenchDatabase): Promise<DatabaseResult> {
  const control = sandboxControl(sandbox.url);
  const atStart = await control.counts();
  const server = await startVerifyServer(sandbox, database);
  try {
    const total = settings.serial + 2 * settings.verify + settings.storm + settings.latency;
    log(`${database.kind}: creating ${total} orders at 64 connections, paying them in the sandbox`);
    const { orders, payments } = await ordersAndPayments(server, sandbox, total);
    let offset = 0;
    const take = (n: number) => {
      const slice = payments.slice(offset, offset + n);
      offset += n;
      return slice;
    };

    const beforeVerify = await control.counts();
    log(`${database.kind}: verify at 1, 16, 64 connections`);
    const serial = await verifyLoad(server, take(settings.serial), 1);
    const verify16 = await verifyLoad(server, take(settings.verify), 16);
    const cpuBefore = await cpuSnapshot(server, sandbox);
    const verify64 = await verifyLoad(server, take(settings.verify), 64);
    const cpu64 = await cpuPerRequest(cpuBefore, await cpuSnapshot(server, sandbox), verify64);
    const verifyCalls = callsBetween(beforeVerify, await control.counts());
    const verifications = serial.requests + verify16.requests + verify64.requests;

    log(`${database.kind}: webhook storm over ${settings.storm} orders`);
    const stormPayments = take(settings.storm);
    const [completions, webhooks] = await Promise.all([
      verifyLoad(server, stormPayments, 32),
      load({
        url: server.url,
        connections: 32,
        amount: stormPayments.length * 2,
        method: "POST",
        // Iamport's webhook body; each payment notified twice (Iamport may resend).
        request: (i) => {
          const payment = stormPayments[Math.floor(i / 2) % stormPayments.length] as Payment;
          return {
            path: "/iamport-webhook",
            body: { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid, status: "paid" },
          };
        },
        check: (status, body) =>
          status === 200 && (JSON.parse(body) as { status?: string }).status === "ok",
      }),
    ]);
    const stormCheck = await checkStorm(server, stormPayments);

    log(`${database.kind}: verify behind a ${LATENCY_MS} ms Iamport`);
    await control.setLatency(LATENCY_MS);
    const beforeLatency = await control.counts();
    const latencyPayments = take(settings.latency);
    let latency: LoadResult;
    let latencyBaseline: LoadResult;
    let afterLatency = beforeLatency;
    try {
      latency = await verifyLoad(server, latencyPayments, 1);
      // Counted before the baseline below, whose own token and GETs are not the server's.
      afterLatency = await control.counts();
      // The same calls straight to the sandbox: what the 40 ms fault costs by itself.
      const token = await control.token();
      latencyBaseline = await load({
        url: sandbox.url,
        connections: 1,
        amount: latencyPayments.length,
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        request: (i) => ({
          path: `/payments/${(latencyPayments[i % latencyPayments.length] as Payment).imp_uid}`,
        }),
      });
    } finally {
      await control.clearFaults();
    }
    const latencyCalls = callsBetween(beforeLatency, afterLatency);

    const peakRssMb = await server.peakRssMb();
    const lifetime = callsBetween(atStart, afterLatency);
    return {
      kind: database.kind,
      orders,
      serial,
      verify16,
      verify64,
      callsPerVerification: verifyCalls.total / (verifications || 1),
      tokenRequests: lifetime.tokens,
      storm: { completions, webhooks, orders: stormPayments.length, ...stormCheck },
      latency,
      latencyBaseline,
      cpu64,
      latencyCallsPerVerification: latencyCalls.total / (latency.requests || 1),
      peakRssMb,
    };
  } finally {
    await server.stop();
  }
}

async function checkStorm(server: Service, payments: Payment[]) {
  let notPaid = 0;
  const queue = [...payments];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let payment = queue.pop(); payment; payment = queue.pop()) {
        const response = await fetch(`${server.url}/orders/${payment.merchant_uid}`);
        const order = (await response.json()) as { status?: string };
        if (order.status !== "paid") notPaid++;
      }
    }),
  );
  const response = await fetch(`${server.url}/bench/transitions`);
  const transitions = (await response.json()) as {
    hooks: Record<string, number>;
    events: Record<string, number>;
  };
  const hooksNotOnce = payments.filter((p) => transitions.hooks[p.merchant_uid] !== 1).length;
  const eventsNotOnce = payments.filter((p) => transitions.events[p.merchant_uid] !== 1).length;
  return { notPaid, hooksNotOnce, eventsNotOnce };
}

/** Ceilings (a) upstream-only route, (b) the sandbox itself, (c) trivial JSON, at 64 connections. */
async function ceilings(sandbox: Service) {
  const control = sandboxControl(sandbox.url);
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${sandbox.url}/control/payments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Live-channel: ceiling (b) reads them with no include_sandbox, as a bare client would.
      body: JSON.stringify({
        merchant_uid: `ceiling_${Date.now()}_${i}`,
        amount: 12_000,
        sandbox: false,
      }),
    });
    ids.push(((await response.json()) as Payment).imp_uid);
  }
  const pick = (i: number) => ids[i % ids.length] as string;
  const ceiling = await startService({
    name: "ceiling server",
    script: "test/bench/ceiling-server.ts",
    port: await freePort(),
    readyPath: "/trivial",
    env: { ...keys, IAMPORT_API_URL: sandbox.url },
  });
  try {
    const before = await control.counts();
    const cpuBefore = await cpuSnapshot(ceiling, sandbox);
    const upstream = await load({
      url: ceiling.url,
      connections: 64,
      amount: settings.ceiling,
      method: "GET",
      request: (i) => ({ path: `/upstream/${pick(i)}` }),
    });
    const upstreamCpu = cpuPerRequest(cpuBefore, await cpuSnapshot(ceiling, sandbox), upstream);
    const upstreamCalls = callsBetween(before, await control.counts());
    const token = await control.token();
    const sandboxDirect = await load({
      url: sandbox.url,
      connections: 64,
      amount: settings.ceiling,
      method: "GET",
      headers: { authorization: `Bearer ${token}` },
      request: (i) => ({ path: `/payments/${pick(i)}` }),
    });
    const trivial = await load({
      url: ceiling.url,
      connections: 64,
      amount: settings.ceiling,
      method: "GET",
      request: () => ({ path: "/trivial" }),
    });
    return {
      upstream,
      upstreamCallsPerRequest: upstreamCalls.payments / (upstream.requests || 1),
      upstreamCpu,
      sandbox: sandboxDirect,
      trivial,
    };
  } finally {
    await ceiling.stop();
  }
}

/** One more PostgreSQL pass at 64 connections under `node --cpu-prof`. */
async function profilePostgres(
  sandbox: Service,
  base: string,
): Promise<(ProfileSummary & { load: LoadResult }) | undefined> {
  const dir = `${repoRoot}bench-results/profile`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const database = await postgresDatabase(base);
  try {
    const server = await startVerifyServer(sandbox, database, [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
    ]);
    let measured: LoadResult;
    try {
      const { payments } = await ordersAndPayments(server, sandbox, settings.verify);
      measured = await verifyLoad(server, payments, 64);
    } finally {
      await server.stop();
    }
    const summary = await summariseProfile(dir, measured.seconds * 1000);
    return summary && { ...summary, load: measured };
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg();
  if (parts.has("widget")) {
    log(`building the widget`);
    await run("pnpm", [
      "--filter",
      "@iamport-pay/widget",
      "exec",
      "vite",
      "build",
      "--logLevel",
      "warn",
    ]);
  }

  const sandbox = await startService({
    name: "sandbox",
    script: "sandbox/src/main.ts",
    port: await freePort(),
    readyPath: "/control/faults",
    env: {},
  });
  const report: Report = {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    loadBefore,
    loadAfter: loadBefore,
    seconds: 0,
    settings,
    databases: [],
    ceilings: undefined,
    sizes: [],
    widget: undefined,
    widgetError: undefined,
    profile: undefined,
    versus: [],
    failures: [],
  };
  // A part that fails (a server too slow to start on a loaded machine, say) is reported, and
  // the figures of the other parts still stand.
  const failed = (part: string, error: unknown) => {
    const message = (error as Error).message.split("\n")[0] ?? "failed";
    log(`${part} failed: ${message}`);
    report.failures.push(`${part}: ${message}`);
  };
  try {
    if (parts.has("ceilings")) {
      log("ceilings");
      report.ceilings = await ceilings(sandbox);
    }

    const contestants = !parts.has("versus")
      ? []
      : postgresUrl
        ? [await postgresDatabase(postgresUrl), await pgliteDatabase()]
        : [await pgliteDatabase()];
    try {
      if (contestants.length)
        report.versus = await versus(
          sandbox,
          contestants,
          {
            requests: settings.versus,
            rounds: settings.versusRounds,
            latency1: settings.latency,
            latency32: settings.latency32,
            latencyMs: LATENCY_MS,
          },
          log,
        );
    } catch (error) {
      failed("versus", error);
    } finally {
      for (const database of contestants) await database.drop();
    }

    const databases = parts.has("databases") ? [await pgliteDatabase()] : [];
    if (postgresUrl && parts.has("databases")) databases.push(await postgresDatabase(postgresUrl));
    for (const database of databases) {
      try {
        report.databases.push(await benchDatabase(sandbox, database));
      } catch (error) {
        failed(`${database.kind}`, error);
      } finally {
        await database.drop();
      }
    }

    const onPostgres = report.databases.find((d) => d.kind === "postgres");
    const ratio =
      onPostgres && report.ceilings
        ? onPostgres.verify64.perSecond / report.ceilings.upstream.perSecond
        : 1;
    if (postgresUrl && (profileMode === "always" || (profileMode === "auto" && ratio < 0.5))) {
      log("profiling the PostgreSQL server at 64 connections (node --cpu-prof)");
      report.profile = await profilePostgres(sandbox, postgresUrl).catch((error: unknown) => {
        failed("profile", error);
        return undefined;
      });
    }
  } finally {
    await sandbox.stop();
  }

  if (parts.has("widget")) await widget(report);

  // Last, and in its own scratch database: its bulk insert would weigh on the other parts.
  let scale = "";
  if (parts.has("scale")) {
    if (!postgresUrl) {
      failed("scale", new Error("needs DATABASE_URL=postgres://… (PostgreSQL only)"));
    } else {
      log("scale: 1 k vs BENCH_SCALE_ORDERS orders (scale.ts)");
      scale = await runScale(scaleSettingsFromEnv(postgresUrl), (m) => log(`scale: ${m}`)).catch(
        (error: unknown) => {
          failed("scale", error);
          return "";
        },
      );
    }
  }

  report.loadAfter = loadavg();
  report.seconds = Math.round((Date.now() - started) / 1000);
  const markdown = scale ? `${renderReport(report)}\n${scale}` : renderReport(report);
  await mkdir(`${repoRoot}bench-results`, { recursive: true });
  await writeFile(`${repoRoot}bench-results/latest.md`, markdown);
  console.log(markdown);
  log(`written to bench-results/latest.md in ${report.seconds} s`);
}

/** The widget's sizes, and its timings in Chromium on the demo page. */
async function widget(report: Report): Promise<void> {
  log("widget: sizes and Chromium timings on the demo page");
  report.sizes = await bundleSizes();
  const shop = await startService({
    name: "demo server (sandbox mode)",
    script: "server/src/main.ts",
    port: await freePort(),
    readyPath: "/healthz",
    env: { DATABASE_URL: "memory://", IMP_KEY: "", IMP_SECRET: "", IAMPORT_API_URL: "" },
  });
  try {
    report.widget = await widgetTimings(shop.url, settings.widgetRuns);
  } catch (error) {
    // The server figures still stand; the report says the browser part failed.
    log(`widget timings failed: ${(error as Error).message}`);
    report.widgetError = (error as Error).message.split("\n")[0] ?? "failed";
  } finally {
    await shop.stop();
  }
}

await main();
