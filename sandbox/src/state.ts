/** Everything the sandbox remembers, and the few actions several route groups share. */
import type { Payment } from "@iamport-pay/shared";
import { type CallLog, createCallLog } from "./calls.js";
import { createFaults, type Faults } from "./faults.js";
import type { PaymentShape, ResolvedOptions } from "./options.js";
import { createPayment, type NewPayment } from "./payment-factory.js";
import { presentPayment } from "./payment-shape.js";
import { createStore, type Store, type StoredPayment } from "./store.js";
import { createTokenStore, type TokenStore } from "./tokens.js";
import { createWebhookSender, type WebhookSender } from "./webhooks.js";

/** What `PUT /control/settings` changes while the sandbox runs. */
export interface Settings {
  paymentShape: PaymentShape;
  shapeSeed: number;
  redirectMerchantUidOnly: boolean;
}

export interface SandboxState {
  options: ResolvedOptions;
  settings: Settings;
  store: Store;
  tokens: TokenStore;
  webhooks: WebhookSender;
  faults: Faults;
  calls: CallLog;
  nowSeconds(): number;
  /** Moves the sandbox's clock forward (virtual-account expiry, token expiry). */
  advanceClock(seconds: number): void;
  /** Stores a new payment and, as Iamport does, notifies when it is paid or a vbank is issued. */
  addPayment(
    input: NewPayment,
    noticeUrl?: string | string[],
    webhook?: { skip?: boolean; delayMs?: number },
  ): StoredPayment;
  /** Replaces a stored payment after a status change. */
  update(stored: StoredPayment, payment: Payment): void;
  /** Sends the payment's webhook with its current status. */
  notify(stored: StoredPayment, cancellationId?: string, delayMs?: number): void;
  /** The payment as REST answers write it, in the current shape. */
  present(payment: Payment): Record<string, unknown>;
  reset(): void;
}

export function createState(options: ResolvedOptions): SandboxState {
  let offsetMs = 0;
  const nowMs = () => options.now() + offsetMs;
  const nowSeconds = () => Math.floor(nowMs() / 1000);
  const initialSettings = (): Settings => ({
    paymentShape: options.paymentShape,
    shapeSeed: options.shapeSeed,
    redirectMerchantUidOnly: options.redirectMerchantUidOnly,
  });
  const store = createStore();
  const tokens = createTokenStore({ ttlSeconds: options.tokenTtlSeconds, nowSeconds });
  const webhooks = createWebhookSender({
    contentType: options.webhookContentType,
    retries: options.webhookRetries,
    retryDelayMs: options.webhookRetryDelayMs,
    fetch: options.fetch,
    nowMs,
  });
  const faults = createFaults();
  const calls = createCallLog(nowMs);

  const state: SandboxState = {
    options,
    settings: initialSettings(),
    store,
    tokens,
    webhooks,
    faults,
    calls,
    nowSeconds,
    advanceClock(seconds) {
      offsetMs += seconds * 1000;
    },
    addPayment(input, noticeUrl, webhook = {}) {
      const payment = createPayment(input, nowSeconds());
      // A payment's own notice_url replaces the console's URL (docs/iamport-notes.md, "Browser SDK").
      const own = noticeUrl === undefined ? [] : [noticeUrl].flat();
      const noticeUrls = own.length > 0 ? own : options.noticeUrl ? [options.noticeUrl] : [];
      const stored = store.add(payment, noticeUrls);
      // Iamport does not notify failures (docs/iamport-notes.md, "Webhooks").
      if (payment.status !== "failed" && !webhook.skip) {
        state.notify(stored, undefined, webhook.delayMs);
      }
      return stored;
    },
    update(stored, payment) {
      store.update(stored, payment, nowSeconds());
    },
    notify(stored, cancellationId, delayMs) {
      if (stored.noticeUrls.length === 0) return;
      webhooks.send(
        stored.noticeUrls,
        {
          imp_uid: stored.payment.imp_uid,
          merchant_uid: stored.payment.merchant_uid,
          status: stored.payment.status,
          cancellation_id: cancellationId,
        },
        delayMs,
      );
    },
    present(payment) {
      return presentPayment(payment, state.settings.paymentShape, state.settings.shapeSeed);
    },
    reset() {
      store.clear();
      tokens.clear();
      webhooks.reset();
      faults.clear();
      calls.clear();
      offsetMs = 0;
      state.settings = initialSettings();
    },
  };
  return state;
}
