/**
 * The lookups of Iamport's list routes: filter by order, status and test channel, then sort by
 * `sorting` (`-started` by default; `started`, `-paid`, `paid`, `-updated`, `updated`).
 */
import { z } from "zod";
import type { StoredPayment } from "./store.js";

export const Sorting = z
  .enum(["-started", "started", "-paid", "paid", "-updated", "updated"])
  .default("-started");
export type Sorting = z.infer<typeof Sorting>;

export interface PaymentFilter {
  merchantUid?: string | undefined;
  status?: string | undefined;
  /** Test-channel (`sandbox: true`) payments are left out unless asked for. */
  includeSandbox: boolean;
}

export function visible(stored: StoredPayment, includeSandbox: boolean): boolean {
  return includeSandbox || stored.payment.sandbox !== true;
}

function sortKey(stored: StoredPayment, field: "started" | "paid" | "updated"): number {
  if (field === "paid") return stored.payment.paid_at;
  if (field === "updated") return stored.updatedAt;
  return stored.payment.started_at;
}

export function queryPayments(
  all: Iterable<StoredPayment>,
  filter: PaymentFilter,
  sorting: Sorting,
): StoredPayment[] {
  const found = [...all].filter(
    (s) =>
      visible(s, filter.includeSandbox) &&
      (filter.merchantUid === undefined || s.payment.merchant_uid === filter.merchantUid) &&
      (filter.status === undefined || s.payment.status === filter.status),
  );
  const descending = sorting.startsWith("-");
  const field = sorting.replace(/^-/, "") as "started" | "paid" | "updated";
  const direction = descending ? -1 : 1;
  return found.sort((a, b) => direction * (sortKey(a, field) - sortKey(b, field) || a.seq - b.seq));
}
