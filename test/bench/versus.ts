/**
 * Our server against the guide's (baseline-server.ts), in one run against one sandbox: CPU-bound
 * verification at 32 connections in two alternating rounds (baseline, then ours on each
 * database, twice), then the same behind a 40 ms Iamport at 1 and 32 connections. Every server
 * is a process of its own, started before the first round and idle while another is measured.
 */
import type { BenchDatabase } from "./databases.js";
import type { LoadResult } from "./load.js";
import { freePort, type Service, startService } from "./processes.js";
import { callsBetween, sandboxControl } from "./sandbox-control.js";
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

export type Contestant = "baseline" | "postgres" | "pglite";

export interface ContestantResult {
  name: Contestant;
  /** Spawn to ready; for PGlite on its existing data directory (a restart). */
  startMs: number;
  /** PGlite only: the first start, which creates the data directory (from the saved initdb template). */
  firstStartMs?: number;
  /** One per round, at 32 connections. */
  rounds: LoadResult[];
  /** Mean verifications per second over the rounds. */
  perSecond: number;
  /** Server and sandbox CPU per verification over the rounds. */
  cpu: CpuSnapshot;
  callsPerVerification: number;
  tokenRequests: number;
  /** Behind a 40 ms Iamport. */
  latency1: LoadResult;
  latency32: LoadResult;
  peakRssMb: number;
  /** Resident at the end, after the load. */
  rssMb: number;
}

export interface VersusSettings {
  /** Verifications per round per contestant. */
  requests: number;
  rounds: number;
  /** Verifications behind the latency, at 1 and at 32 connections. */
  latency1: number;
  latency32: number;
  latencyMs: number;
}

const CONNECTIONS = 32;

export async function versus(
  sandbox: Service,
  databases: BenchDatabase[],
  settings: VersusSettings,
  log: (message: string) => void,
): Promise<ContestantResult[]> {
  const control = sandboxControl(sandbox.url);
  const servers: { name: Contestant; service: Service; payments: Payment[] }[] = [];
  try {
    const baseline = await startService({
      name: "baseline (guide's Express server)",
      script: "test/bench/baseline-server.ts",
      port: await freePort(),
      readyPath: "/healthz",
      env: { ...keys, IAMPORT_API_URL: sandbox.url },
    });
    servers.push({ name: "baseline", service: baseline, payments: [] });
    const firstStarts = new Map<Contestant, number>();
    for (const database of databases) {
      let service = await startVerifyServer(sandbox, database);
      if (database.kind === "pglite") {
        // The first start creates the data directory; a server restarts far more often.
        firstStarts.set(database.kind, service.startMs);
        await service.stop();
        service = await startVerifyServer(sandbox, database);
      }
      servers.push({ name: database.kind, service, payments: [] });
    }
    // A warm-up round each, not measured: the first requests of a process run cold code (V8
    // compiles it as it goes), which would charge JIT time to whichever round came first.
    const warmup = Math.min(settings.requests, 500);
    const perServer =
      warmup + settings.rounds * settings.requests + settings.latency1 + settings.latency32;
    for (const server of servers) {
      log(`versus: ${perServer} paid orders on ${server.name}`);
      server.payments = (await ordersAndPayments(server.service, sandbox, perServer, 8)).payments;
    }
    const taken = new Map<Contestant, number>();
    const take = (server: (typeof servers)[number], n: number) => {
      const from = taken.get(server.name) ?? 0;
      taken.set(server.name, from + n);
      return server.payments.slice(from, from + n);
    };

    const results = new Map<Contestant, ContestantResult>();
    const cpuSum = new Map<Contestant, CpuSnapshot>();
    const calls = new Map<Contestant, { total: number; tokens: number }>();
    for (const server of servers) {
      log(`versus: warm-up, ${server.name}, ${warmup} at ${CONNECTIONS}`);
      const before = await control.counts();
      await verifyLoad(server.service, take(server, warmup), CONNECTIONS);
      // Its tokens count (a server asks for one in its lifetime), its calls per verification not.
      const made = callsBetween(before, await control.counts());
      calls.set(server.name, { total: 0, tokens: made.tokens });
    }
    for (let round = 1; round <= settings.rounds; round++) {
      for (const server of servers) {
        log(`versus: round ${round}, ${server.name}, ${settings.requests} at ${CONNECTIONS}`);
        const before = await control.counts();
        const cpuBefore = await cpuSnapshot(server.service, sandbox);
        const result = await verifyLoad(server.service, take(server, settings.requests), 32);
        const cpu = cpuPerRequest(cpuBefore, await cpuSnapshot(server.service, sandbox), result);
        const made = callsBetween(before, await control.counts());
        const sum = cpuSum.get(server.name);
        cpuSum.set(
          server.name,
          Object.fromEntries(
            (Object.keys(cpu) as (keyof CpuSnapshot)[]).map((key) => [
              key,
              (sum?.[key] ?? 0) + cpu[key] / settings.rounds,
            ]),
          ) as unknown as CpuSnapshot,
        );
        const soFar = calls.get(server.name) ?? { total: 0, tokens: 0 };
        calls.set(server.name, {
          total: soFar.total + made.total,
          tokens: soFar.tokens + made.tokens,
        });
        const entry = results.get(server.name);
        if (entry) entry.rounds.push(result);
        else
          results.set(server.name, {
            name: server.name,
            startMs: server.service.startMs,
            ...(firstStarts.has(server.name) ? { firstStartMs: firstStarts.get(server.name) } : {}),
            rounds: [result],
            perSecond: 0,
            cpu,
            callsPerVerification: 0,
            tokenRequests: 0,
            latency1: result,
            latency32: result,
            peakRssMb: 0,
            rssMb: 0,
          });
      }
    }

    log(`versus: behind a ${settings.latencyMs} ms Iamport`);
    await control.setLatency(settings.latencyMs);
    try {
      for (const server of servers) {
        const entry = results.get(server.name) as ContestantResult;
        entry.latency1 = await verifyLoad(server.service, take(server, settings.latency1), 1);
        entry.latency32 = await verifyLoad(
          server.service,
          take(server, settings.latency32),
          CONNECTIONS,
        );
      }
    } finally {
      await control.clearFaults();
    }

    for (const server of servers) {
      const entry = results.get(server.name) as ContestantResult;
      const made = calls.get(server.name) ?? { total: 0, tokens: 0 };
      const verified = entry.rounds.reduce((sum, r) => sum + r.requests, 0);
      entry.perSecond = entry.rounds.reduce((sum, r) => sum + r.perSecond, 0) / entry.rounds.length;
      entry.cpu = cpuSum.get(server.name) as CpuSnapshot;
      entry.callsPerVerification = made.total / (verified || 1);
      entry.tokenRequests = made.tokens;
      entry.peakRssMb = await server.service.peakRssMb();
      entry.rssMb = await server.service.rssMb();
    }
    return servers.map((s) => results.get(s.name) as ContestantResult);
  } finally {
    for (const server of servers) await server.service.stop();
  }
}
