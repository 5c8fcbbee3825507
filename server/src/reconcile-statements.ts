/**
 * Reconciliation's statements (reconcile.ts holds the decisions), with named parameters
 * (db/named.ts).
 */
import { statement } from "./db/named.js";
import type { Db } from "./db/open.js";

/** A round's claim: durations in seconds. */
export interface ClaimDue {
  graceSecs: number;
  batchSize: number;
  maxBackoffSecs: number;
  maxAgeSecs: number;
  failedMaxAgeSecs: number;
}

/**
 * Claims up to :batchSize due orders, most recently due first (a backward range on
 * orders_due_idx that stops after :batchSize rows however many are due), and moves each one's schedule: the wait doubles
 * with every claim (:graceSecs grace, :maxBackoffSecs cap, in seconds), and an order past its age limit (:maxAgeSecs for
 * pending/ready, :failedMaxAgeSecs for failed) is retired. Due means next_check_at + grace has passed.
 */
const wait = `make_interval(secs => greatest(least(
    :graceSecs::double precision * power(2, least(o.lookup_misses, 40) + 1), :maxBackoffSecs::double precision),
    :graceSecs::double precision))`;
const claimDueSql = statement<ClaimDue>(`with due as (
    select merchant_uid from orders
    where status in ('pending', 'ready', 'failed')
      and next_check_at <= now() - make_interval(secs => :graceSecs::double precision)
    order by next_check_at desc
    limit :batchSize::int
    for update skip locked
  )
  update orders o set
    lookup_misses = least(o.lookup_misses + 1, 1000),
    next_check_at = case
      when now() + ${wait} > o.created_at + make_interval(secs => case when o.status = 'failed'
        then :failedMaxAgeSecs::double precision else :maxAgeSecs::double precision end)
      then 'infinity'::timestamptz
      else now() + ${wait} - make_interval(secs => :graceSecs::double precision)
    end
  from due where o.merchant_uid = due.merchant_uid
  returning o.merchant_uid, o.status`);

/** Claims the due orders (claimDueSql) and returns them. */
export async function claimDueOrders(
  db: Db,
  p: ClaimDue,
): Promise<{ merchant_uid: string; status: string }[]> {
  return (await claimDueSql.run(db, p)) as { merchant_uid: string; status: string }[];
}
