/**
 * One admin operation per order at a time, across processes (admin_order_locks). A lease, not a
 * transaction or an advisory lock: the holder waits on Iamport while holding it, PGlite has one
 * connection, and a holder that dies frees the order when its lease passes.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/open.js";

export interface OrderLease {
  release(): Promise<void>;
}

/** The lease, or undefined when another holder's lease on the order has not passed yet. */
export async function leaseOrder(
  db: Db,
  merchantUid: string,
  leaseMs: number,
): Promise<OrderLease | undefined> {
  const holder = randomUUID();
  const rows = await db.query(
    `insert into admin_order_locks (merchant_uid, holder, lease_until)
      values ($1::text, $2::text, now() + make_interval(secs => $3::double precision))
      on conflict (merchant_uid) do update
        set holder = excluded.holder, lease_until = excluded.lease_until
        where admin_order_locks.lease_until < now()
      returning holder`,
    [merchantUid, holder, leaseMs / 1000],
  );
  if (rows.length === 0) return undefined;
  return {
    async release() {
      await db.query(
        "delete from admin_order_locks where merchant_uid = $1::text and holder = $2::text",
        [merchantUid, holder],
      );
    },
  };
}
