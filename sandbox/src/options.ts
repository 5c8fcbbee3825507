/** What `createSandbox` accepts, and the defaults a bare `createSandbox()` gets. */

/** The merchant the sandbox pretends to be, unless told otherwise. */
export const sandboxDefaults = {
  impCode: "imp12345678",
  impKey: "sandbox_key",
  impSecret: "sandbox_secret",
} as const;

export type WebhookContentType = "application/json" | "application/x-www-form-urlencoded";

/**
 * How Payment objects are written in REST answers: `full` (every field of today's OpenAPI
 * document), `legacy` (as older accounts got them) or `sparse` (required fields plus what the
 * method needs; other fields missing or null at random, fixed per payment). See payment-shape.ts.
 */
export type PaymentShape = "full" | "legacy" | "sparse";
export const PAYMENT_SHAPES: readonly PaymentShape[] = ["full", "legacy", "sparse"];

export interface SandboxOptions {
  impCode?: string;
  impKey?: string;
  impSecret?: string;
  /** The console's notification URL; a payment's own `notice_url` overrides it. */
  noticeUrl?: string;
  /** As chosen in Iamport's console. Default JSON. */
  webhookContentType?: WebhookContentType;
  /** Extra attempts after a failed delivery. Iamport sends once unless asked (default 0). */
  webhookRetries?: number;
  /** Pause between attempts; Iamport waits a minute (default 60000). */
  webhookRetryDelayMs?: number;
  /** Token life; Iamport's is 30 minutes (default 1800). */
  tokenTtlSeconds?: number;
  /** The clock in milliseconds, so tests can move time (token expiry). */
  now?: () => number;
  /** Used to deliver webhooks; tests swap it. */
  fetch?: typeof fetch;
  /** Default `full`; changeable at run time with `PUT /control/settings`. */
  paymentShape?: PaymentShape;
  /** Seeds the `sparse` shape's choices, so a failing run can be replayed (default 1). */
  shapeSeed?: number;
  /** Success redirects carry only `merchant_uid`, as the V1 guide's own example (default false). */
  redirectMerchantUidOnly?: boolean;
}

export interface ResolvedOptions {
  impCode: string;
  impKey: string;
  impSecret: string;
  noticeUrl: string | undefined;
  webhookContentType: WebhookContentType;
  webhookRetries: number;
  webhookRetryDelayMs: number;
  tokenTtlSeconds: number;
  now: () => number;
  fetch: typeof fetch;
  paymentShape: PaymentShape;
  shapeSeed: number;
  redirectMerchantUidOnly: boolean;
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  return {
    impCode: options.impCode ?? sandboxDefaults.impCode,
    impKey: options.impKey ?? sandboxDefaults.impKey,
    impSecret: options.impSecret ?? sandboxDefaults.impSecret,
    noticeUrl: options.noticeUrl,
    webhookContentType: options.webhookContentType ?? "application/json",
    webhookRetries: options.webhookRetries ?? 0,
    webhookRetryDelayMs: options.webhookRetryDelayMs ?? 60_000,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
    now: options.now ?? Date.now,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    paymentShape: options.paymentShape ?? "full",
    shapeSeed: options.shapeSeed ?? 1,
    redirectMerchantUidOnly: options.redirectMerchantUidOnly ?? false,
  };
}
