/**
 * Webhook (notification URL) delivery as Iamport does it: `{ imp_uid, merchant_uid, status }`
 * (plus `cancellation_id` for refunds), JSON or form as set in the console, sent in the
 * background, once by default; retried only when configured, a delay apart, and only after a
 * network error or a 5xx answer. Every attempt is recorded for `GET /control/webhooks`.
 */
import type { WebhookContentType } from "./options.js";

export interface WebhookAttempt {
  id: number;
  url: string;
  body: Record<string, string>;
  content_type: WebhookContentType;
  /** 1 for the first try. */
  attempt: number;
  /** The merchant's HTTP status, or null when the request did not complete. */
  response_status: number | null;
  /**
   * The network error's kind, never the answer's body: a webhook target may be an internal
   * address, and the control API must not become a way to read what it answers.
   */
  error: string | null;
  sent_at: number;
}

export interface WebhookEvent {
  imp_uid: string;
  merchant_uid: string;
  status: string;
  cancellation_id?: string | undefined;
}

export interface WebhookSender {
  /** Delivers in the background; `delayMs` holds it back first (a late webhook). */
  send(urls: string[], event: WebhookEvent, delayMs?: number): void;
  attempts(): WebhookAttempt[];
  settled(): Promise<void>;
  /** Forgets the log and abandons deliveries in flight (their retries stop). */
  reset(): void;
}

/** UNCONFIRMED detail: Iamport reads for about 30 s; we give up on an answer after that. */
const READ_TIMEOUT_MS = 30_000;

export function createWebhookSender(options: {
  contentType: WebhookContentType;
  retries: number;
  retryDelayMs: number;
  fetch: typeof fetch;
  nowMs: () => number;
}): WebhookSender {
  let log: WebhookAttempt[] = [];
  let nextId = 1;
  const inFlight = new Set<Promise<void>>();
  let generation = new AbortController();

  function encode(body: Record<string, string>): string {
    return options.contentType === "application/json"
      ? JSON.stringify(body)
      : new URLSearchParams(body).toString();
  }

  async function attempt(
    url: string,
    body: Record<string, string>,
    n: number,
    signal: AbortSignal,
  ) {
    const record: WebhookAttempt = {
      id: nextId++,
      url,
      body,
      content_type: options.contentType,
      attempt: n,
      response_status: null,
      error: null,
      sent_at: Math.floor(options.nowMs() / 1000),
    };
    const entries = log;
    entries.push(record);
    try {
      const response = await options.fetch(url, {
        method: "POST",
        headers: { "content-type": options.contentType },
        body: encode(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT_MS)]),
      });
      record.response_status = response.status;
      await response.body?.cancel();
      return response.status < 500;
    } catch (error) {
      record.error =
        error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network";
      return false;
    }
  }

  function wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async function deliver(url: string, body: Record<string, string>, signal: AbortSignal) {
    for (let n = 1; n <= options.retries + 1 && !signal.aborted; n++) {
      if (n > 1) await wait(options.retryDelayMs, signal);
      if (signal.aborted) return;
      if (await attempt(url, body, n, signal)) return;
    }
  }

  return {
    send(urls, event, delayMs = 0) {
      const body: Record<string, string> = {
        imp_uid: event.imp_uid,
        merchant_uid: event.merchant_uid,
        status: event.status,
      };
      if (event.cancellation_id) body.cancellation_id = event.cancellation_id;
      for (const url of urls) {
        const signal = generation.signal;
        // Deferred a tick so the REST or checkout answer leaves before the webhook, as the two
        // race at Iamport (docs/iamport-notes.md, "Mobile redirect").
        const delivery: Promise<void> = wait(delayMs, signal)
          .then(() => deliver(url, body, signal))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
    },
    attempts: () => [...log],
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    reset() {
      generation.abort();
      generation = new AbortController();
      log = [];
    },
  };
}
