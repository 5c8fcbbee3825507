/** What several bench phases share: starting our server, making paid orders, verifying them. */
import { sandboxDefaults } from "@iamport-pay/sandbox";
import type { BenchDatabase } from "./databases.js";
import { type LoadResult, load } from "./load.js";
import { freePort, machineBusyMs, postgresCpuMs, type Service, startService } from "./processes.js";

// ACCEPT_TEST_PAYMENTS: the sandbox's payments are test-channel ones (include_sandbox=true).
export const keys = {
  ACCEPT_TEST_PAYMENTS: "true",
  IMP_CODE: sandboxDefaults.impCode,
  IMP_KEY: sandboxDefaults.impKey,
  IMP_SECRET: sandboxDefaults.impSecret,
};

export interface Payment {
  imp_uid: string;
  merchant_uid: string;
}

export async function startVerifyServer(
  sandbox: Service,
  database: BenchDatabase,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Service> {
  return startService({
    name: `server (${database.kind})`,
    script: "test/bench/verify-server.ts",
    port: await freePort(),
    readyPath: "/healthz",
    nodeArgs,
    env: { ...keys, IAMPORT_API_URL: sandbox.url, DATABASE_URL: database.url, ...env },
  });
}

/** Creates orders through the server (the order-creation benchmark) and pays each in the sandbox. */
export async function ordersAndPayments(
  server: Service,
  sandbox: Service,
  n: number,
  connections = 64,
): Promise<{ orders: LoadResult; payments: Payment[] }> {
  const created: { merchant_uid: string; amount: number }[] = [];
  let firstFailure: string | undefined;
  const orders = await load({
    url: server.url,
    connections,
    amount: n,
    method: "POST",
    request: () => ({ path: "/orders", body: { items: [{ sku: "mug-002", quantity: 1 }] } }),
    check(status, body) {
      if (status !== 201) {
        firstFailure ??= `POST /orders answered ${status}: ${body.slice(0, 200)}`;
        return false;
      }
      created.push(JSON.parse(body) as { merchant_uid: string; amount: number });
      return true;
    },
  });
  const payments: Payment[] = [];
  const paid = await load({
    url: sandbox.url,
    connections: 16,
    amount: created.length,
    method: "POST",
    request: (i) => {
      const order = created[i % created.length];
      return {
        path: "/control/payments",
        // Live-channel payments: the guide's server sends no include_sandbox, and Iamport hides
        // test-channel payments from a client that does not (every look-up would be a 404).
        body: { merchant_uid: order?.merchant_uid, amount: order?.amount, sandbox: false },
      };
    },
    check(status, body) {
      if (status !== 201) return false;
      payments.push(JSON.parse(body) as Payment);
      return true;
    },
  });
  if (orders.errors || paid.errors) {
    throw new Error(
      `setup failed: ${orders.errors} order errors, ${paid.errors} payment errors (${firstFailure ?? "connection errors"})`,
    );
  }
  return { orders, payments };
}

export function verifyLoad(
  server: Service,
  payments: Payment[],
  connections: number,
): Promise<LoadResult> {
  return load({
    url: server.url,
    connections,
    amount: payments.length,
    method: "POST",
    request: (i) => {
      const payment = payments[i % payments.length] as Payment;
      return {
        path: "/payments/complete",
        body: { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid },
      };
    },
    check: (status, body) =>
      status === 200 && (JSON.parse(body) as { status?: string }).status === "success",
  });
}

export interface CpuSnapshot {
  server: number;
  sandbox: number;
  loadGenerator: number;
  /** Every PostgreSQL server process (PGlite runs inside the server's own). */
  database: number;
  /** The whole machine's busy CPU, whatever ran. */
  machine: number;
}

export async function cpuSnapshot(server: Service, sandbox: Service): Promise<CpuSnapshot> {
  const own = process.cpuUsage();
  return {
    server: await server.cpuMs(),
    sandbox: await sandbox.cpuMs(),
    loadGenerator: (own.user + own.system) / 1000,
    database: await postgresCpuMs(),
    machine: await machineBusyMs(),
  };
}

export function cpuPerRequest(
  before: CpuSnapshot,
  after: CpuSnapshot,
  result: LoadResult,
): CpuSnapshot {
  const per = (key: keyof CpuSnapshot) => (after[key] - before[key]) / (result.requests || 1);
  return {
    server: per("server"),
    sandbox: per("sandbox"),
    loadGenerator: per("loadGenerator"),
    database: per("database"),
    machine: per("machine"),
  };
}

/** After the storm: every order paid, one onPaid hook and one `paid` event each. */
