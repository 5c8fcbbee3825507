/** The sandbox's memory: payments by imp_uid (in creation order) and prepared amounts. */
import type { Payment, Prepared } from "@iamport-pay/shared";

export interface StoredPayment {
  payment: Payment;
  /** Where this payment's webhooks go: its own `notice_url`, else the console's. */
  noticeUrls: string[];
  /** Creation order, to break ties between payments of the same second. */
  seq: number;
  /** Unix seconds of the last status change (Iamport's `updated` sorting). */
  updatedAt: number;
}

export interface Store {
  payments: Map<string, StoredPayment>;
  prepared: Map<string, Prepared>;
  add(payment: Payment, noticeUrls: string[]): StoredPayment;
  /** Replaces a payment after a change, moving its `updated` time. */
  update(stored: StoredPayment, payment: Payment, nowSeconds: number): void;
  /** The latest payment for an order, optionally with a given status. */
  findByMerchantUid(merchantUid: string, status?: string): StoredPayment | undefined;
  clear(): void;
}

export function createStore(): Store {
  const payments = new Map<string, StoredPayment>();
  const prepared = new Map<string, Prepared>();
  let seq = 0;
  return {
    payments,
    prepared,
    add(payment, noticeUrls) {
      const stored = { payment, noticeUrls, seq: seq++, updatedAt: payment.started_at };
      payments.set(payment.imp_uid, stored);
      return stored;
    },
    update(stored, payment, nowSeconds) {
      stored.payment = payment;
      stored.updatedAt = nowSeconds;
    },
    findByMerchantUid(merchantUid, status) {
      let found: StoredPayment | undefined;
      for (const stored of payments.values()) {
        if (stored.payment.merchant_uid !== merchantUid) continue;
        if (status !== undefined && stored.payment.status !== status) continue;
        found = stored; // later entries are newer
      }
      return found;
    },
    clear() {
      payments.clear();
      prepared.clear();
    },
  };
}
