/**
 * Test helpers: a database per test file (a fresh PostgreSQL database when DATABASE_URL is set,
 * in-memory PGlite otherwise), a whole server in sandbox mode on a real port, and small clients
 * for our API and the sandbox's control API.
 */
import type { IamportPayment } from "@iamport-pay/shared";
import { loadConfig } from "./config.js";
import {
  adminIdempotencyKeys,
  adminOrderLocks,
  hookOutbox,
  orders,
  paymentClaims,
  paymentEvents,
  refundsRequired,
} from "./db/schema.js";
import { createScratchDatabase } from "./db/scratch.js";
import type { LogLevel } from "./logger.js";
import { type RunningServer, type StartOptions, startServer } from "./server.js";
import type { HookEvent, Hooks } from "./verify.js";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Tests on PostgreSQL isolate themselves in a database of their own, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  // Team rule: tests read DATABASE_URL (CI sets it), and use PGlite when it is unset.
  const base = process.env.DATABASE_URL;
  if (base === undefined || !/^postgres(ql)?:\/\//.test(base)) {
    return { url: "memory://", drop: async () => {} };
  }
  return createScratchDatabase(base, "server_test");
}

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown> | undefined;
}

export interface HookCall {
  name: keyof Hooks;
  event: HookEvent;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  /** memory:// or the PostgreSQL database made for this file. */
  databaseUrl: string;
  logs: LogEntry[];
  hookCalls: HookCall[];
  /**
   * The hook calls, once every hook owed so far has been called: hooks run after the answers
   * that owe them, so read them through this, never `hookCalls` right after a request.
   */
  settledHooks(): Promise<HookCall[]>;
  /** Clears tables, the sandbox, logs and hook calls between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  control(method: string, path: string, body?: unknown): Promise<Answer>;
  createOrder(
    items?: { sku: string; quantity: number }[],
  ): Promise<{ merchant_uid: string; amount: number }>;
  /** A payment made in the sandbox as a shopper would; `webhook: false` sends its webhook nowhere. */
  pay(
    merchantUid: string,
    amount: number,
    options?: Record<string, unknown> & { webhook?: boolean },
  ): Promise<IamportPayment>;
  complete(impUid: string, merchantUid: string): Promise<Answer>;
  webhook(body: Record<string, string>, form?: boolean): Promise<Answer>;
  order(merchantUid: string): Promise<Record<string, unknown>>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read loosely, then asserted.
  body: any;
  text: string;
}

/**
 * The sandbox's answer shape for this run: PAYMENT_SHAPE (full, legacy or sparse; default full),
 * as the database comes from DATABASE_URL. The root vitest config runs the HTTP-level verify
 * tests once per shape.
 */
export function paymentShapeFromEnv(): "full" | "legacy" | "sparse" {
  const shape = process.env.PAYMENT_SHAPE ?? "full";
  if (shape !== "full" && shape !== "legacy" && shape !== "sparse") {
    throw new Error(`PAYMENT_SHAPE must be full, legacy or sparse, not ${shape}`);
  }
  return shape;
}

/** Nothing listens on port 9 (discard); webhooks sent there are lost, as on a bad day. */
export const NOWHERE = "http://127.0.0.1:9/lost";

export async function startTestServer(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const logs: LogEntry[] = [];
  const hookCalls: HookCall[] = [];
  const record =
    (name: keyof Hooks) =>
    (event: HookEvent): void => {
      hookCalls.push({ name, event });
    };
  // No request deadline by default: on a loaded machine a burst of calls may take longer than
  // any real bound (the deadline's own test uses a timer it fires itself).
  const server = await startServer(
    loadConfig({ PORT: "0", DATABASE_URL: database.url, REQUEST_TIMEOUT_MS: "0", ...env }),
    {
      log: (level, message, fields) => logs.push({ level, message, fields }),
      // Iamport deadlines that never end by themselves, for the same reason: the tests of
      // timeouts build their own client with manualTimeouts().
      timeoutSignal: () => new AbortController().signal,
      hooks: {
        onPaid: record("onPaid"),
        onVbankIssued: record("onVbankIssued"),
        onCancelled: record("onCancelled"),
        onForgery: record("onForgery"),
        onDuplicate: record("onDuplicate"),
        onRefundRequired: record("onRefundRequired"),
      },
      ...options,
    },
  );

  const request = async (
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      redirect: "manual",
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  let closing: Promise<void> | undefined;
  const api: TestServer["api"] = (method, path, body, headers) =>
    request(method, `${server.url}${path}`, body, headers);
  const control: TestServer["control"] = (method, path, body) =>
    request(method, `${server.url}/sandbox/control${path}`, body);
  const shape = paymentShapeFromEnv();
  const applyShape = async () => {
    if (!server.sandbox || shape === "full") return;
    const answer = await control("PUT", "/settings", { payment_shape: shape });
    if (answer.status !== 200) throw new Error(`PAYMENT_SHAPE: ${answer.status} ${answer.text}`);
  };
  await applyShape();

  return {
    server,
    url: server.url,
    databaseUrl: database.url,
    logs,
    hookCalls,
    api,
    control,
    async settledHooks() {
      await server.hooksSettled();
      return hookCalls;
    },
    async reset() {
      await server.sandbox?.settled();
      await server.hooksSettled();
      server.sandbox?.reset();
      await applyShape();
      await server.db.drizzle.delete(paymentEvents);
      await server.db.drizzle.delete(paymentClaims);
      await server.db.drizzle.delete(refundsRequired);
      await server.db.drizzle.delete(hookOutbox);
      await server.db.drizzle.delete(orders);
      await server.db.drizzle.delete(adminIdempotencyKeys);
      await server.db.drizzle.delete(adminOrderLocks);
      logs.length = 0;
      hookCalls.length = 0;
    },
    close() {
      closing ??= (async () => {
        await server.close();
        await database.drop();
      })();
      return closing;
    },
    async createOrder(items = [{ sku: "chair-001", quantity: 1 }]) {
      const answer = await api("POST", "/orders", { items });
      if (answer.status !== 201) throw new Error(`createOrder: ${answer.status} ${answer.text}`);
      return answer.body;
    },
    async pay(merchantUid, amount, { webhook = true, ...rest } = {}) {
      const answer = await control("POST", "/payments", {
        merchant_uid: merchantUid,
        amount,
        ...(webhook ? {} : { notice_url: NOWHERE }),
        ...rest,
      });
      if (answer.status !== 201) throw new Error(`pay: ${answer.status} ${answer.text}`);
      await server.sandbox?.settled();
      return answer.body;
    },
    complete: (impUid, merchantUid) =>
      api("POST", "/payments/complete", { imp_uid: impUid, merchant_uid: merchantUid }),
    webhook(body, form = false) {
      return form
        ? api("POST", "/iamport-webhook", new URLSearchParams(body).toString(), {
            "content-type": "application/x-www-form-urlencoded",
          })
        : api("POST", "/iamport-webhook", body);
    },
    async order(merchantUid) {
      const answer = await api("GET", `/orders/${merchantUid}`);
      return answer.body;
    },
  };
}

/**
 * Iamport call deadlines a test ends by hand (the client's `timeoutSignal`), so no test depends
 * on how fast the machine is. `expire()` ends every deadline handed out so far and, until
 * `restore()`, each new one right after its request is sent, as a deadline passing while
 * Iamport holds the call would.
 */
export function manualTimeouts() {
  const live = new Set<AbortController>();
  let expiring = false;
  const end = (controller: AbortController) =>
    controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
  return {
    signal(_ms: number): AbortSignal {
      const controller = new AbortController();
      if (expiring) setImmediate(() => end(controller));
      else live.add(controller);
      return controller.signal;
    },
    /** Deadlines handed out and not yet ended. */
    get handedOut(): number {
      return live.size;
    },
    expire(): void {
      expiring = true;
      for (const controller of live) end(controller);
      live.clear();
    },
    restore(): void {
      expiring = false;
    },
  };
}
