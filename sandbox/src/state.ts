/** Everything the sandbox remembers, and the few actions several route groups share. */
import { type CallLog, createCallLog } from "./calls.js";
import { createFaults, type Faults } from "./faults.js";
import type { ResolvedOptions } from "./options.js";
import { createPayment, type NewPayment } from "./payment-factory.js";
import { createStore, type Store, type StoredPayment } from "./store.js";
import { createTokenStore, type TokenStore } from "./tokens.js";
import { createWebhookSender, type WebhookSender } from "./webhooks.js";

export interface SandboxState {
  options: ResolvedOptions;
  store: Store;
  tokens: TokenStore;
  webhooks: WebhookSender;
  faults: Faults;
  calls: CallLog;
  nowSeconds(): number;
  /** Stores a new payment and, as Iamport does, notifies when it is paid or a vbank is issued. */
  addPayment(input: NewPayment, noticeUrl?: string | string[]): StoredPayment;
  /** Sends the payment's webhook with its current status. */
  notify(stored: StoredPayment, cancellationId?: string): void;
  reset(): void;
}

export function createState(options: ResolvedOptions): SandboxState {
  const nowSeconds = () => Math.floor(options.now() / 1000);
  const store = createStore();
  const tokens = createTokenStore({ ttlSeconds: options.tokenTtlSeconds, nowSeconds });
  const webhooks = createWebhookSender({
    contentType: options.webhookContentType,
    retries: options.webhookRetries,
    retryDelayMs: options.webhookRetryDelayMs,
    fetch: options.fetch,
    nowMs: options.now,
  });
  const faults = createFaults();
  const calls = createCallLog(options.now);

  const state: SandboxState = {
    options,
    store,
    tokens,
    webhooks,
    faults,
    calls,
    nowSeconds,
    addPayment(input, noticeUrl) {
      const payment = createPayment(input, nowSeconds());
      // A payment's own notice_url replaces the console's URL (docs/iamport-notes.md, "Browser SDK").
      const own = noticeUrl === undefined ? [] : [noticeUrl].flat();
      const noticeUrls = own.length > 0 ? own : options.noticeUrl ? [options.noticeUrl] : [];
      const stored = { payment, noticeUrls };
      store.payments.set(payment.imp_uid, stored);
      // Iamport does not notify failures (docs/iamport-notes.md, "Webhooks").
      if (payment.status !== "failed") state.notify(stored);
      return stored;
    },
    notify(stored, cancellationId) {
      if (stored.noticeUrls.length === 0) return;
      webhooks.send(stored.noticeUrls, {
        imp_uid: stored.payment.imp_uid,
        merchant_uid: stored.payment.merchant_uid,
        status: stored.payment.status,
        cancellation_id: cancellationId,
      });
    },
    reset() {
      store.clear();
      tokens.clear();
      webhooks.reset();
      faults.clear();
      calls.clear();
    },
  };
  return state;
}
