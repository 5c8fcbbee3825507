/** Renders a bench run as markdown: machine, figures per database, ceilings, widget, targets. */
import type { LoadResult } from "./load.js";
import type { ProfileSummary } from "./profile.js";
import type { DatabaseResult } from "./run.js";
import type { CpuSnapshot } from "./verification.js";
import type { ContestantResult } from "./versus.js";
import type { BundleSize, WidgetTimings } from "./widget.js";

export interface Report {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
  settings: Record<string, number>;
  databases: DatabaseResult[];
  ceilings:
    | {
        upstream: LoadResult;
        upstreamCallsPerRequest: number;
        upstreamCpu: CpuSnapshot;
        sandbox: LoadResult;
        trivial: LoadResult;
      }
    | undefined;
  sizes: BundleSize[];
  widget: WidgetTimings | undefined;
  widgetError: string | undefined;
  profile: (ProfileSummary & { load: LoadResult }) | undefined;
  versus: ContestantResult[];
  /** Parts that failed, one line each. */
  failures: string[];
}

const LATENCY_MS = 40;
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const rate = (r: LoadResult) => Math.round(r.perSecond).toLocaleString("en-US");
const line = (r: LoadResult) =>
  `${rate(r)}/s · p50 ${fixed(r.p50)} · p99 ${fixed(r.p99)} ms · ${r.errors} err`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
const verdict = (met: boolean) => (met ? "met" : "**missed**");
const label = (kind: DatabaseResult["kind"]) => (kind === "postgres" ? "PostgreSQL" : "PGlite");

export function renderReport(report: Report): string {
  const out: string[] = [];
  const dbs = report.databases;
  const row = (name: string, cell: (d: DatabaseResult) => string) =>
    out.push(`| ${name} | ${dbs.map(cell).join(" | ")} |`);
  const envs = Object.entries({
    BENCH_VERIFY_REQUESTS: report.settings.verify,
    BENCH_SERIAL_REQUESTS: report.settings.serial,
    BENCH_STORM_ORDERS: report.settings.storm,
    BENCH_LATENCY_REQUESTS: report.settings.latency,
    BENCH_CEILING_REQUESTS: report.settings.ceiling,
    BENCH_VERSUS_REQUESTS: report.settings.versus,
    BENCH_VERSUS_ROUNDS: report.settings.versusRounds,
    BENCH_LATENCY32_REQUESTS: report.settings.latency32,
    BENCH_WIDGET_RUNS: report.settings.widgetRuns,
  })
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

  out.push("# iamport-pay benchmarks", "");
  out.push(
    `Machine: ${report.cores} cores (${report.cpuModel}), Node ${report.node}; load average ` +
      `${report.loadBefore.map((n) => n.toFixed(2)).join(" / ")} before, ` +
      `${report.loadAfter.map((n) => n.toFixed(2)).join(" / ")} after (1/5/15 min). ` +
      `Load generator, server, sandbox and database share the machine. ${report.date}, ${report.seconds} s.`,
    "",
  );
  out.push(
    "Reproduce: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench` " +
      `(PGlite only without DATABASE_URL; counts: \`${envs}\`)`,
    "",
  );

  if (report.failures.length) {
    out.push("## Parts that failed", "", ...report.failures.map((f) => `- ${f}`), "");
  }
  renderVersus(report, out);

  if (dbs.length) {
    out.push("## Server (sandbox in its own process, latency as seen by autocannon)", "");
    out.push(`| figure | ${dbs.map((d) => label(d.kind)).join(" | ")} |`);
    out.push(`| --- | ${dbs.map(() => "---").join(" | ")} |`);
    row("verify, 1 connection", (d) => line(d.serial));
    row("verify, 16 connections", (d) => line(d.verify16));
    row("verify, 64 connections", (d) => line(d.verify64));
    if (report.ceilings) {
      const upstream = report.ceilings.upstream.perSecond;
      row(
        "verify at 64 ÷ ceiling (a)",
        (d) => `${Math.round((d.verify64.perSecond / upstream) * 100)} %`,
      );
    }
    row("Iamport calls per verification", (d) => fixed(d.callsPerVerification, 2));
    row("token requests (server lifetime)", (d) => String(d.tokenRequests));
    row("order creation, 64 connections", (d) => line(d.orders));
    row("webhook storm: completions (32 conn.)", (d) => line(d.storm.completions));
    row("webhook storm: webhooks ×2 (32 conn.)", (d) => line(d.storm.webhooks));
    row(
      "storm outcome",
      (d) =>
        `${d.storm.orders - d.storm.notPaid}/${d.storm.orders} paid; ${d.storm.hooksNotOnce} hooks ≠ 1; ${d.storm.eventsNotOnce} paid events ≠ 1`,
    );
    row(
      `verify behind a ${LATENCY_MS} ms Iamport (1 conn.)`,
      (d) =>
        `median ${fixed(d.latency.p50)} ms (${fixed(d.latency.p50 / LATENCY_MS, 2)} × ${LATENCY_MS}), ${fixed(d.latencyCallsPerVerification, 2)} calls/verify`,
    );
    row(
      `sandbox alone behind ${LATENCY_MS} ms (1 conn., baseline)`,
      (d) => `median ${fixed(d.latencyBaseline.p50)} ms`,
    );
    row(
      "CPU per verification at 64: server · sandbox · load generator · PostgreSQL · machine",
      (d) =>
        `${fixed(d.cpu64.server, 2)} · ${fixed(d.cpu64.sandbox, 2)} · ${fixed(d.cpu64.loadGenerator, 2)} · ${fixed(d.cpu64.database, 2)} · ${fixed(d.cpu64.machine, 2)} ms`,
    );
    row("server peak RSS (VmHWM)", (d) => `${d.peakRssMb} MB`);
    out.push("");
  }

  if (report.ceilings) {
    const c = report.ceilings;
    out.push("## Ceilings (64 connections, same run)", "");
    out.push("| ceiling | result |", "| --- | --- |");
    out.push(
      `| (a) upstream only: bare Hono + the server's Iamport client, one keep-alive GET /payments/{id} | ${line(c.upstream)} (${fixed(c.upstreamCallsPerRequest, 2)} GETs/request) |`,
    );
    out.push(
      `| (a) CPU per request: ceiling server · sandbox · load generator · whole machine | ${fixed(c.upstreamCpu.server, 2)} · ${fixed(c.upstreamCpu.sandbox, 2)} · ${fixed(c.upstreamCpu.loadGenerator, 2)} · ${fixed(c.upstreamCpu.machine, 2)} ms |`,
    );
    out.push(`| (b) the sandbox's own GET /payments/{id} | ${line(c.sandbox)} |`);
    out.push(`| (c) trivial JSON route, bare Hono | ${line(c.trivial)} |`, "");
  }

  if (report.sizes.length || report.widget) {
    out.push("## Widget", "", "| figure | value |", "| --- | --- |");
    for (const size of report.sizes) {
      out.push(
        `| ${size.file} | ${kb(size.raw)} raw · ${kb(size.gzip)} gzip · ${kb(size.brotli)} brotli |`,
      );
    }
    const w = report.widget;
    if (w) {
      out.push(
        `| script start → element defined (median of ${w.runs}) | ${fixed(w.scriptToDefined)} ms (${fixed(w.navigationToDefined)} ms after navigation start) |`,
      );
      out.push(
        `| click → IMP.request_pay (median of ${w.runs}, SDK prefetched) | ${fixed(w.clickToRequestPay)} ms, of which POST /orders ${fixed(w.ordersRoundTrip)} ms; the rest ${fixed(w.clickOverhead)} ms |`,
      );
    }
    if (report.widgetError) out.push(`| Chromium timings | failed: ${report.widgetError} |`);
    out.push("");
  }

  out.push("## Targets", "", "| target | verdict |", "| --- | --- |");
  versusTargets(report, out);
  for (const d of dbs) {
    const errors =
      d.serial.errors +
      d.verify16.errors +
      d.verify64.errors +
      d.orders.errors +
      d.storm.completions.errors +
      d.storm.webhooks.errors +
      d.latency.errors;
    const lost = d.storm.notPaid + d.storm.hooksNotOnce + d.storm.eventsNotOnce;
    out.push(`| ${label(d.kind)}: zero errors (${errors}) | ${verdict(errors === 0)} |`);
    out.push(
      `| ${label(d.kind)}: no lost or doubled transitions (${lost}) | ${verdict(lost === 0)} |`,
    );
    out.push(
      `| ${label(d.kind)}: one token request whatever the load (${d.tokenRequests}) | ${verdict(d.tokenRequests === 1)} |`,
    );
    out.push(
      `| ${label(d.kind)}: p99 < 50 ms at 16 connections (${fixed(d.verify16.p99)} ms) | ${verdict(d.verify16.p99 < 50)} |`,
    );
    out.push(
      `| ${label(d.kind)}: median ≤ 1.1 × ${LATENCY_MS} ms behind a distant Iamport (${fixed(d.latency.p50)} ms) | ${verdict(d.latency.p50 <= 1.1 * LATENCY_MS)} |`,
    );
    if (report.ceilings && d.kind === "postgres") {
      const ratio = d.verify64.perSecond / report.ceilings.upstream.perSecond;
      out.push(
        `| PostgreSQL: verify at 64 ≥ 50 % of ceiling (a) (${Math.round(ratio * 100)} %) | ${verdict(ratio >= 0.5)} |`,
      );
    }
  }
  const iife = report.sizes.find((s) => s.file.endsWith(".iife.js"));
  if (iife)
    out.push(`| widget IIFE ≤ 10 kB gzip (${kb(iife.gzip)}) | ${verdict(iife.gzip <= 10_000)} |`);
  if (report.widget) {
    const w = report.widget;
    out.push(
      `| click → request_pay < POST /orders round trip + 20 ms (${fixed(w.clickOverhead)} ms over it) | ${verdict(w.clickOverhead < 20)} |`,
    );
  }
  out.push("");

  if (report.profile) {
    const p = report.profile;
    out.push("## Profile: PostgreSQL server at 64 connections (`node --cpu-prof`)", "");
    out.push(
      `Profiled run: ${line(p.load)}. In its last ${p.windowMs} ms (the load) the main thread was busy ${p.busyMs} ms. File: ${p.file.replace(/^.*\/bench-results\//, "bench-results/")}`,
      "",
    );
    out.push("| where (self time) | share |", "| --- | --- |");
    for (const g of p.byGroup) out.push(`| ${g.group} | ${g.percent} % |`);
    out.push("", "| busiest functions (self time) | share |", "| --- | --- |");
    for (const f of p.topFunctions) out.push(`| \`${f.name}\` | ${f.percent} % |`);
    out.push("");
  }
  return out.join("\n");
}

const contestantLabel = (name: ContestantResult["name"]) =>
  name === "baseline" ? "guide's Express server" : label(name);

function renderVersus(report: Report, out: string[]): void {
  const all = report.versus;
  const base = all.find((c) => c.name === "baseline");
  if (!base || all.length < 2) return;
  const times = (value: number, of: number) => `${fixed(value / of, 2)}×`;
  out.push(
    `## Against the guide's server (32 connections, an unmeasured warm-up each, then ${report.settings.versusRounds} alternating rounds, sandbox answering at once)`,
    "",
  );
  out.push(
    "The guide's server: Express 4 + axios, orders in a `Map`, a new token and a `GET /payments/{imp_uid}` per verification (`test/bench/baseline-server.ts`). Ratios are ours ÷ the guide's.",
    "",
  );
  out.push(`| figure | ${all.map((c) => contestantLabel(c.name)).join(" | ")} |`);
  out.push(`| --- | ${all.map(() => "---").join(" | ")} |`);
  const row = (name: string, cell: (c: ContestantResult) => string) =>
    out.push(`| ${name} | ${all.map(cell).join(" | ")} |`);
  row("verify/s, rounds", (c) => c.rounds.map((r) => rate(r)).join(" · "));
  row(
    "verify/s, mean (÷ guide's)",
    (c) => `${Math.round(c.perSecond)} (${times(c.perSecond, base.perSecond)})`,
  );
  if (report.ceilings) {
    const upstream = report.ceilings.upstream.perSecond;
    row("÷ ceiling (a)", (c) => `${Math.round((c.perSecond / upstream) * 100)} %`);
  }
  row("p50 · p99 (last round)", (c) => {
    const r = c.rounds.at(-1) as LoadResult;
    return `${fixed(r.p50)} · ${fixed(r.p99)} ms`;
  });
  row("errors", (c) => String(c.rounds.reduce((sum, r) => sum + r.errors, 0)));
  row("Iamport calls per verification", (c) => fixed(c.callsPerVerification, 2));
  row("tokens requested", (c) => String(c.tokenRequests));
  row(
    "CPU per verification: server · sandbox (÷ guide's server)",
    (c) =>
      `${fixed(c.cpu.server, 2)} · ${fixed(c.cpu.sandbox, 2)} ms (${times(c.cpu.server, base.cpu.server)})`,
  );
  row(
    "CPU per verification: PostgreSQL processes · whole machine (÷ guide's machine)",
    (c) =>
      `${fixed(c.cpu.database, 2)} · ${fixed(c.cpu.machine, 2)} ms (${times(c.cpu.machine, base.cpu.machine)})`,
  );
  row(
    `behind ${LATENCY_MS} ms: p50 at 1 conn. (÷ guide's)`,
    (c) => `${fixed(c.latency1.p50)} ms (${times(c.latency1.p50, base.latency1.p50)})`,
  );
  row(
    `behind ${LATENCY_MS} ms: p50 · p99 at 32 conn. (÷ guide's p50)`,
    (c) =>
      `${fixed(c.latency32.p50)} · ${fixed(c.latency32.p99)} ms (${times(c.latency32.p50, base.latency32.p50)}), ${c.latency1.errors + c.latency32.errors} err`,
  );
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  row(
    "start: spawn → ready, tsx included (PGlite: restart · first start on a new data directory)",
    (c) =>
      c.firstStartMs === undefined
        ? seconds(c.startMs)
        : `${seconds(c.startMs)} · ${seconds(c.firstStartMs)}`,
  );
  row("resident after the load (VmRSS) · peak (VmHWM)", (c) => `${c.rssMb} · ${c.peakRssMb} MB`);
  out.push("");
}

function versusTargets(report: Report, out: string[]): void {
  const base = report.versus.find((c) => c.name === "baseline");
  if (!base) return;
  for (const c of report.versus) {
    if (c.name === "baseline") continue;
    const name = label(c.name);
    const ratio = c.perSecond / base.perSecond;
    const want = c.name === "postgres" ? 2 : 1;
    const errors = c.rounds.reduce((sum, r) => sum + r.errors, 0);
    out.push(
      `| ${name}: verify at 32 ≥ ${want}× the guide's server (${fixed(ratio, 2)}×) | ${verdict(ratio >= want)} |`,
    );
    out.push(
      `| ${name}: 0 errors, 1 Iamport call per verification, 1 token (${errors}, ${fixed(c.callsPerVerification, 2)}, ${c.tokenRequests}) | ${verdict(errors === 0 && c.callsPerVerification <= 1.005 && c.tokenRequests === 1)} |`,
    );
    out.push(
      `| ${name}: p50 ≤ 42 ms at 1 connection behind ${LATENCY_MS} ms (${fixed(c.latency1.p50)} ms) | ${verdict(c.latency1.p50 <= 42)} |`,
    );
    if (c.name === "postgres") {
      out.push(
        `| ${name}: p50 ≤ 44 ms at 32 connections behind ${LATENCY_MS} ms (${fixed(c.latency32.p50)} ms) | ${verdict(c.latency32.p50 <= 44)} |`,
      );
    }
    out.push(
      `| ${name}: server CPU per verification ≤ 0.4 ms (${fixed(c.cpu.server, 2)} ms) | ${verdict(c.cpu.server <= 0.4)} |`,
    );
    if (c.name === "pglite") {
      out.push(
        `| PGlite: resident ≤ 400 MB after the load (${c.rssMb} MB; peak ${c.peakRssMb} MB) | ${verdict(c.rssMb <= 400)} |`,
        `| PGlite: start ≤ 3 s on its data directory (${(c.startMs / 1000).toFixed(1)} s, tsx included) | ${verdict(c.startMs <= 3000)} |`,
      );
    }
  }
}
