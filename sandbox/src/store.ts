/** The sandbox's memory: payments by imp_uid (in creation order) and prepared amounts. */
import type { Payment, Prepared } from "@iamport-pay/shared";

export interface StoredPayment {
  payment: Payment;
  /** Where this payment's webhooks go: its own `notice_url`, else the console's. */
  noticeUrls: string[];
}

export interface Store {
  payments: Map<string, StoredPayment>;
  prepared: Map<string, Prepared>;
  /** The latest payment for an order, optionally with a given status. */
  findByMerchantUid(merchantUid: string, status?: string): StoredPayment | undefined;
  clear(): void;
}

export function createStore(): Store {
  const payments = new Map<string, StoredPayment>();
  const prepared = new Map<string, Prepared>();
  return {
    payments,
    prepared,
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
