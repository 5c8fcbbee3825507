/**
 * What the reliability tests share: a database of their own per file (a fresh PostgreSQL database
 * when DATABASE_URL is set, in-memory PGlite otherwise), the sandbox standing in for Iamport on
 * its own port, the server with (sandbox) keys pointed at it, hooks counted, and small HTTP helpers.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSandbox, type Sandbox, sandboxDefaults } from "@iamport-pay/sandbox";
import {
  createScratchDatabase,
  type HookEvent,
  type Hooks,
  loadConfig,
  type RunningServer,
  type StartOptions,
  silentLogger,
  startServer,
} from "@iamport-pay/server";

export const postgresUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "")
  ? (process.env.DATABASE_URL as string)
  : undefined;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** memory:// on PGlite; on PostgreSQL a database of this file's own, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (postgresUrl === undefined) return { url: "memory://", drop: async () => {} };
  return createScratchDatabase(postgresUrl, "reliability");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely, then asserted.
  body: any;
  text: string;
}

export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
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
}

/**
 * One request on a connection of its own (node:http, no keep-alive pool), for fuzzing: whatever
 * one generated request does to its connection cannot break the next. Resolves `undefined` when
 * the server closed the connection before answering.
 */
export function rawRequest(
  method: string,
  url: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string> = {},
): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", () => resolve(undefined));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const answerHeaders = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (typeof value === "string") answerHeaders.set(key, value);
        }
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body: parsed, text });
      });
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") resolve(undefined);
      else reject(error);
    });
    outgoing.end(body);
  });
}

export interface StandaloneSandbox {
  sandbox: Sandbox;
  url: string;
  control(method: string, path: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

/** The sandbox on a port of its own, as Iamport is to the server: another host. */
export async function startSandbox(noticeUrl: string): Promise<StandaloneSandbox> {
  const sandbox = createSandbox({ noticeUrl });
  const server = serve({ fetch: sandbox.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sandbox,
    url,
    control: (method, path, body) => request(method, `${url}/control${path}`, body),
    async close() {
      await sandbox.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface HookCall {
  name: keyof Hooks;
  event: HookEvent;
}

export interface Rig {
  server: RunningServer;
  url: string;
  iamport: StandaloneSandbox;
  databaseUrl: string;
  hookCalls: HookCall[];
  /** The hook calls once every hook owed so far has been called (they follow the answers). */
  settledHooks(): Promise<HookCall[]>;
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  createOrder(quantity?: number): Promise<{ merchant_uid: string; amount: number }>;
  close(): Promise<void>;
}

/** Server (own database, counted hooks) + standalone sandbox whose webhooks reach the server. */
export async function startRig(
  options: StartOptions & { env?: Record<string, string> } = {},
): Promise<Rig> {
  const { env = {}, ...startOptions } = options;
  const database = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const iamport = await startSandbox(`${url}/iamport-webhook`);
  const hookCalls: HookCall[] = [];
  const record = (name: keyof Hooks) => (event: HookEvent) => {
    hookCalls.push({ name, event });
  };
  const server = await startServer(
    loadConfig({
      PORT: String(port),
      DATABASE_URL: database.url,
      IMP_CODE: sandboxDefaults.impCode,
      IMP_KEY: sandboxDefaults.impKey,
      IMP_SECRET: sandboxDefaults.impSecret,
      // The sandbox's payments are test-channel ones: ask with include_sandbox=true.
      ACCEPT_TEST_PAYMENTS: "true",
      IAMPORT_API_URL: iamport.url,
      RECONCILE_INTERVAL_MS: "0",
      // Loads here can outlast any real deadline on a busy machine: tests never race a clock.
      REQUEST_TIMEOUT_MS: "0",
      ...env,
    }),
    {
      log: silentLogger,
      acceptSandboxPayments: true,
      hooks: {
        onPaid: record("onPaid"),
        onVbankIssued: record("onVbankIssued"),
        onCancelled: record("onCancelled"),
        onForgery: record("onForgery"),
        onDuplicate: record("onDuplicate"),
      },
      ...startOptions,
    },
  );
  const api: Rig["api"] = (method, path, body, headers) =>
    request(method, `${url}${path}`, body, headers);
  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    iamport,
    databaseUrl: database.url,
    hookCalls,
    async settledHooks() {
      await server.hooksSettled();
      return hookCalls;
    },
    api,
    async createOrder(quantity = 1) {
      const answer = await api("POST", "/orders", { items: [{ sku: "chair-001", quantity }] });
      if (answer.status !== 201) throw new Error(`createOrder: ${answer.status} ${answer.text}`);
      return answer.body;
    },
    close() {
      closing ??= (async () => {
        await iamport.sandbox.settled();
        await server.close();
        await iamport.close();
        await database.drop();
      })();
      return closing;
    },
  };
}

/** Every row of our tables, in a stable order: "no state change" means these stay equal. */
export async function snapshotTables(server: RunningServer): Promise<unknown[]> {
  const tables = ["orders", "payment_events", "payment_claims", "products"];
  const out: unknown[] = [];
  for (const table of tables) {
    const result = await server.db.drizzle.execute(
      `select * from ${table} order by 1${table === "payment_claims" ? ", 2" : ""}`,
    );
    out.push(Array.isArray(result) ? [...result] : (result as { rows: unknown[] }).rows);
  }
  return out;
}

export interface ServerProcess {
  url: string;
  pid: number | undefined;
  /** SIGKILL: no graceful anything. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** server-process.ts as a child process on `port`, ready once /healthz answers. */
export async function spawnServer(
  port: number,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "test/reliability/server-process.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      IMP_CODE: sandboxDefaults.impCode,
      IMP_KEY: sandboxDefaults.impKey,
      IMP_SECRET: sandboxDefaults.impSecret,
      // The sandbox's payments are test-channel ones: ask with include_sandbox=true.
      ACCEPT_TEST_PAYMENTS: "true",
      RECONCILE_INTERVAL_MS: "0",
      REQUEST_TIMEOUT_MS: "0",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited before it was ready:\n${stderr}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (i > 600) {
      child.kill("SIGKILL");
      throw new Error(`server not ready within 60 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid,
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Iamport call deadlines a test ends by hand: pass `signal` as the server's `timeoutSignal` and
 * `fetch` as its Iamport transport. While `expireFor(match)` is set, a call whose URL matches has
 * its deadline end right after it is sent, as a deadline passing while Iamport holds the call
 * would; other calls keep deadlines that never end. `restore()` stops that.
 */
export function manualTimeouts() {
  const controllers = new WeakMap<AbortSignal, AbortController>();
  let match: ((url: string) => boolean) | undefined;
  return {
    signal(_ms: number): AbortSignal {
      const controller = new AbortController();
      controllers.set(controller.signal, controller);
      return controller.signal;
    },
    fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const controller = init?.signal ? controllers.get(init.signal) : undefined;
      const sent = fetch(input, init);
      if (controller && match?.(url)) {
        setImmediate(() =>
          controller.abort(new DOMException("The operation timed out.", "TimeoutError")),
        );
      }
      return sent;
    },
    expireFor(matches: (url: string) => boolean): void {
      match = matches;
    },
    restore(): void {
      match = undefined;
    },
  };
}
