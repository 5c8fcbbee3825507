/**
 * The server's configuration, parsed once from an environment object (every variable, with its
 * default, is in `.env.example` and server/README.md). Pure: `main.ts` hands it `process.env`;
 * tests hand it a literal.
 */
import { z } from "zod";
import type { LogThreshold } from "./logger.js";

/**
 * The built-in sandbox's merchant code (its `sandboxDefaults.impCode`; a test keeps them equal).
 * Written out rather than imported: the sandbox is an optional dependency, loaded only in
 * sandbox mode.
 */
export const SANDBOX_IMP_CODE = "imp12345678";

const booleanString = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
    .optional()
    .transform((value) => (value === undefined ? fallback : ["true", "1", "yes"].includes(value)));

const origin = z
  .url({ protocol: /^https?$/, message: "expected an origin like https://shop.example.com" })
  .transform((value) => new URL(value).origin);

const databaseUrl = z
  .string()
  .refine(
    (value) => /^(memory:\/\/|postgres(ql)?:\/\/|file:\/\/)/.test(value) || !value.includes("://"),
    "expected memory://, postgres://…, file://… or a directory path",
  );

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: databaseUrl.optional(),
  IMP_CODE: z
    .string()
    .regex(/^imp\d{8}$/, "expected imp followed by 8 digits")
    .default(SANDBOX_IMP_CODE),
  IMP_KEY: z.string().min(1).optional(),
  IMP_SECRET: z.string().min(1).optional(),
  IAMPORT_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  CATALOG: z.string().min(1).optional(),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return [];
      const origins: string[] = [];
      for (const part of value
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const parsed = origin.safeParse(part);
        if (!parsed.success) {
          ctx.addIssue({ code: "custom", message: `"${part}" is not an http(s) origin` });
          return z.NEVER;
        }
        origins.push(parsed.data);
      }
      return origins;
    }),
  CANCEL_FORGED: booleanString(true),
  PREPARE: booleanString(false),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(300_000),
  HOOK_LEASE_MS: z.coerce.number().int().min(0).default(60_000),
  SANDBOX: booleanString(false),
  IAMPORT_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(64),
  ACCEPT_TEST_PAYMENTS: booleanString(false),
  ALLOWED_PG: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return [];
      const channels: AllowedPg[] = [];
      for (const part of value
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_.-]+))?$/.exec(part);
        if (!match) {
          ctx.addIssue({ code: "custom", message: `"${part}" is not a provider or provider.mid` });
          return z.NEVER;
        }
        channels.push(
          match[2] === undefined ? { provider: match[1]! } : { provider: match[1]!, mid: match[2] },
        );
      }
      return channels;
    }),
  RECONCILE_MAX_BACKOFF_MS: z.coerce.number().int().min(0).default(3_600_000),
  IAMPORT_CHECK_KEYS: booleanString(true),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  METRICS: booleanString(false),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  MIGRATE: booleanString(true),
  // Long enough that guessing is hopeless; a password manager or `openssl rand -hex 32` gives one.
  ADMIN_TOKEN: z
    .string()
    .min(32, "expected at least 32 characters (e.g. openssl rand -hex 32)")
    .regex(/^[\x21-\x7e]+$/, "expected visible ASCII characters only")
    .optional(),
});

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach a server listening there. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}
/** Every variable the server reads (`.env.example` lists each, with its default). */
export const configVariables: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  port: number;
  host: string;
  /** undefined → PGlite in ./.data/pglite. */
  databaseUrl: string | undefined;
  impCode: string;
  /** Both set, or both undefined (sandbox mode). */
  impKey: string | undefined;
  impSecret: string | undefined;
  /** undefined → https://api.iamport.kr, or the built-in sandbox in sandbox mode. */
  iamportApiUrl: string | undefined;
  catalogPath: string | undefined;
  /** Added to the server's own origin (PUBLIC_URL or the listening address), never replacing it. */
  allowedOrigins: string[];
  cancelForged: boolean;
  prepare: boolean;
  /** Where shoppers reach this server (behind a proxy); default its listening address. */
  publicUrl: string | undefined;
  sandboxMode: boolean;
  /** How often reconciliation runs (0 = never) and how old an unsettled order must be first. */
  reconcileIntervalMs: number;
  reconcileGraceMs: number;
  /** How long a hook call may take before the sweeper may call it again (hook-outbox.ts). */
  hookLeaseMs: number;
  /** Iamport calls in flight at most; more wait in a queue (iamport-client.ts). */
  iamportMaxConnections: number;
  /**
   * Accept payments made on Iamport test channels (`sandbox: true`) and ask Iamport to include
   * them in look-ups. ACCEPT_TEST_PAYMENTS; always true in sandbox mode.
   */
  acceptTestPayments: boolean;
  /** ALLOWED_PG: the live PG channels; a payment on another one is a forgery. Empty = any. */
  allowedPg: AllowedPg[];
  /** The longest wait between two look-ups of an order Iamport has no payment for. */
  reconcileMaxBackoffMs: number;
  /** With keys: ask Iamport for a token at start and refuse to start if it refuses the keys. */
  checkKeys: boolean;
  /** Lines below this level are not written. */
  logLevel: LogThreshold;
  /** Serve `GET /metrics` (Prometheus text), on `metricsPort` when set, else on the API port. */
  metrics: boolean;
  metricsPort: number | undefined;
  /** A request still running after this long is answered 504 (0 = no limit). */
  requestTimeoutMs: number;
  /** Apply pending migrations at start (default true; false when a deploy step migrates once). */
  migrate: boolean;
  /** Enables /admin (API and console); undefined → no /admin routes at all. */
  adminToken: string | undefined;
}

/** One ALLOWED_PG entry: a `pg_provider`, optionally narrowed to one contract (`pg_id`, the MID). */
export interface AllowedPg {
  provider: string;
  mid?: string;
}

export const DEFAULT_IAMPORT_API_URL = "https://api.iamport.kr";

/**
 * Parses the environment. Throws one Error whose message is a single line naming every bad
 * variable; values are never echoed, so a mistyped secret cannot leak into a log.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as shells and .env files commonly produce them.
  const cleaned = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((key) => [key, env[key] === "" ? undefined : env[key]]),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`,
      );
  // Half a key pair is a typo, not a wish for sandbox mode: refuse it.
  if ((cleaned.IMP_KEY === undefined) !== (cleaned.IMP_SECRET === undefined)) {
    const missing = cleaned.IMP_KEY === undefined ? "IMP_KEY" : "IMP_SECRET";
    problems.push(`${missing}: set IMP_KEY and IMP_SECRET together (or neither, for sandbox mode)`);
  }
  // Sandbox mode takes payments nobody pays for: run it only where nobody else can reach it,
  // unless asked; and never beside real keys.
  if (parsed.success && cleaned.IMP_KEY === undefined && cleaned.IMP_SECRET === undefined) {
    if (!parsed.data.SANDBOX && !isLoopbackHost(parsed.data.HOST)) {
      problems.push(
        "HOST: sandbox mode (no IMP_KEY/IMP_SECRET) listens only on a loopback address; set SANDBOX=true to run it on another",
      );
    }
  } else if (parsed.success && parsed.data.SANDBOX) {
    problems.push("SANDBOX: sandbox mode cannot run with IMP_KEY/IMP_SECRET set");
  }
  // With real keys, a missing choice is a mistake, not a wish for the sandbox's defaults: an
  // embedded database nobody backs up, or the sandbox's placeholder merchant code in every widget.
  if (cleaned.IMP_KEY !== undefined && cleaned.IMP_SECRET !== undefined) {
    if (cleaned.DATABASE_URL === undefined) {
      problems.push(
        "DATABASE_URL: required with IMP_KEY/IMP_SECRET (postgres://…; memory:// or a directory for PGlite)",
      );
    }
    if (cleaned.IMP_CODE === undefined) {
      problems.push(
        "IMP_CODE: required with IMP_KEY/IMP_SECRET (your merchant code, imp + 8 digits)",
      );
    }
  }
  if (cleaned.METRICS_PORT !== undefined && !["true", "1", "yes"].includes(cleaned.METRICS ?? "")) {
    problems.push("METRICS_PORT: set it together with METRICS=true");
  }
  if (!parsed.success || problems.length > 0) {
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    impCode: e.IMP_CODE,
    impKey: e.IMP_KEY,
    impSecret: e.IMP_SECRET,
    iamportApiUrl: e.IAMPORT_API_URL?.replace(/\/+$/, ""),
    catalogPath: e.CATALOG,
    allowedOrigins: e.ALLOWED_ORIGINS,
    cancelForged: e.CANCEL_FORGED,
    prepare: e.PREPARE,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    sandboxMode: e.IMP_KEY === undefined,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    reconcileGraceMs: e.RECONCILE_GRACE_MS,
    hookLeaseMs: e.HOOK_LEASE_MS,
    iamportMaxConnections: e.IAMPORT_MAX_CONNECTIONS,
    // The built-in sandbox's checkout payments are test-channel payments.
    acceptTestPayments: e.IMP_KEY === undefined || e.ACCEPT_TEST_PAYMENTS,
    allowedPg: e.ALLOWED_PG,
    reconcileMaxBackoffMs: e.RECONCILE_MAX_BACKOFF_MS,
    checkKeys: e.IAMPORT_CHECK_KEYS,
    logLevel: e.LOG_LEVEL,
    metrics: e.METRICS,
    metricsPort: e.METRICS_PORT,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    migrate: e.MIGRATE,
    adminToken: e.ADMIN_TOKEN,
  };
}
