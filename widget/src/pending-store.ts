/**
 * Payments this tab started and has not seen settled, in sessionStorage: a mobile return is
 * reported only by the button that started it, and a reload (or a crashed tab restored) during
 * confirmation resumes it. Storage may be unavailable (privacy modes): then nothing persists.
 */
import type { PendingPayment } from "./pay-flow.js";

export interface StoredPayment extends PendingPayment {
  /** The starting button: `#<id>`, or `@<index>` among the page's buttons. */
  key: string;
  at: number;
}

const KEY = "iamport-pay.pending";
/** Older records are dropped: an abandoned checkout must not be reported days later. */
const KEEP_MS = 3_600_000;

export function loadPending(): StoredPayment[] {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as StoredPayment[];
    return list.filter((p) => Date.now() - p.at < KEEP_MS);
  } catch {
    return [];
  }
}

function write(list: StoredPayment[]): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Unavailable or full: confirmation still runs, only a reload cannot resume it.
  }
}

/** Saves `payment`, replacing an older record of the same payment or of the same button. */
export function savePending(payment: StoredPayment): void {
  write([
    ...loadPending().filter(
      (p) => p.merchant_uid !== payment.merchant_uid && p.key !== payment.key,
    ),
    payment,
  ]);
}

export function dropPending(merchantUid: string): void {
  write(loadPending().filter((p) => p.merchant_uid !== merchantUid));
}
