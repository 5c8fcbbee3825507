/**
 * A virtual account whose deposit deadline passed without a deposit becomes `expired`. Called
 * by reconciliation for a `ready` order only after Iamport said it has no paid payment for it,
 * in one statement that also logs the decision: the conditional UPDATE (still `ready`, still the
 * same deadline, past it by the database's clock) makes it happen once across processes.
 *
 * UNCONFIRMED: what Iamport itself reports for such a payment (it may stay `ready`); we decide
 * from the deadline it gave (`vbank_date`), and a deposit that still arrives is taken (`paid`
 * moves on from `expired`).
 */
import { statement } from "./db/named.js";
import type { Db } from "./db/open.js";

const expireSql = statement<{ merchantUid: string }>(`with changed as (
    update orders set status = 'expired', updated_at = now(),
      reason = 'The virtual account''s deposit deadline passed without a deposit'
    where merchant_uid = :merchantUid::text and status = 'ready'
      and vbank ->> 'due' is not null and (vbank ->> 'due')::timestamptz < now()
    returning merchant_uid, imp_uid
  ), event as (
    insert into payment_events (source, imp_uid, named_merchant_uid, merchant_uid, iamport_status, decision)
    select 'reconcile', coalesce(imp_uid, ''), merchant_uid, merchant_uid, 'ready', 'expired' from changed
  )
  select merchant_uid from changed`);

/** True when this call expired the order. */
export async function expireOverdueVbank(db: Db, merchantUid: string): Promise<boolean> {
  return (await expireSql.run(db, { merchantUid })).length === 1;
}
