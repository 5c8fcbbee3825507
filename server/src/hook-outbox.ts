/**
 * Durable hooks (a transactional outbox). Every hook call owed is a `hook_outbox` row written in
 * the same statement as the transition (or claim) that owes it, already leased to its writer for
 * `hookLeaseMs`. After the commit the writer calls the hook and deletes the row. A process killed
 * in between leaves the row behind; once its lease has passed, `deliverOwedHooks` (run by the
 * reconciler's loop and when a server starts) leases it again, calls the hook and deletes it.
 * So hooks are at-least-once across crashes, and exactly once when nothing crashes and a hook
 * returns within its lease. Never a transaction across a hook call (PGlite has one connection).
 *
 * A hook that throws has been delivered: it is logged and its row deleted, as before the outbox
 * (retrying a merchant's bug every lease would only repeat the error; catch and queue inside the
 * hook if its work must be retried).
 */
import type { Db, RawRow } from "./db/open.js";
import { rowMapper } from "./db/rows.js";
import { type OrderRow, orders } from "./db/schema.js";
import type { Hooks } from "./hooks.js";
import type { Logger } from "./logger.js";
import { toOrderView } from "./order-view.js";

export type HookName = keyof Hooks;

/** How long a hook call may take before the sweeper may call it again (HOOK_LEASE_MS). */
export const DEFAULT_HOOK_LEASE_MS = 60_000;

export interface HookDeps {
  db: Db;
  hooks?: Hooks;
  hookLeaseMs?: number;
  log: Logger;
}

/** The hook's name when it is configured (only configured hooks are owed), else null. */
export function owedHook(deps: HookDeps, name: HookName): HookName | null {
  return deps.hooks?.[name] === undefined ? null : name;
}

/** The lease in seconds, as the owed-row statements take it (`make_interval(secs => …)`). */
export function leaseSecs(deps: Pick<HookDeps, "hookLeaseMs">): number {
  return Math.max(0, deps.hookLeaseMs ?? DEFAULT_HOOK_LEASE_MS) / 1000;
}

/**
 * A CTE named `owed` that writes one outbox row per row of `from` (whose alias `o` is the order),
 * with the event `{ order, payment, source, cancelled? }`; the hook parameter null owes nothing.
 * The p fields are SQL parameters (`$4`), never input.
 */
export function owedCte(
  from: string,
  p: {
    hook: string;
    payment: string;
    source: string;
    lease: string;
    cancelled?: string;
    /** An SQL expression of a jsonb object whose fields are added to the event. */
    extra?: string;
    where?: string;
  },
): string {
  const cancelled = p.cancelled ? `, 'cancelled', ${p.cancelled}::boolean` : "";
  const extra = p.extra ? ` || ${p.extra}` : "";
  return `owed as (
    insert into hook_outbox (hook, event, claimed_until)
    select ${p.hook}::text,
      jsonb_build_object('order', to_jsonb(o), 'payment', ${p.payment}::jsonb,
        'source', ${p.source}::text${cancelled})${extra},
      now() + make_interval(secs => ${p.lease}::double precision)
    from ${from}
    where ${p.hook}::text is not null${p.where ? ` and ${p.where}` : ""}
    returning id
  )`;
}

/** Calls the hook (a throw is logged), then deletes its outbox row (`id` null: none was owed). */
export async function deliverHook<K extends HookName>(
  deps: HookDeps,
  id: unknown,
  name: K,
  event: Parameters<NonNullable<Hooks[K]>>[0],
): Promise<void> {
  const hook = deps.hooks?.[name] as ((event: unknown) => unknown) | undefined;
  if (hook !== undefined) {
    try {
      await hook(event);
    } catch (error) {
      deps.log("error", `hook ${name} threw`, { error: (error as Error).message });
    }
  }
  if (id === null || id === undefined) return;
  try {
    await deps.db.query("delete from hook_outbox where id = $1::bigint", [String(id)]);
  } catch (error) {
    // The hook ran; the sweeper will call it again after the lease (at-least-once).
    deps.log("warn", "could not delete a delivered hook's outbox row", {
      hook: name,
      error: (error as Error).message,
    });
  }
}

const toOrderRow = rowMapper<OrderRow>(orders);

const jsonOf = (value: unknown): Record<string, unknown> =>
  (typeof value === "string" ? JSON.parse(value) : value) as Record<string, unknown>;

/** The hook's event from its stored form (the order as a raw orders row, decoded to its view). */
function eventOf(stored: unknown): Record<string, unknown> {
  const { order, ...rest } = jsonOf(stored);
  return { ...rest, order: toOrderView(toOrderRow(jsonOf(order) as RawRow)) };
}

/**
 * Delivers owed hooks whose lease has passed (their writer died or is too slow): each batch is
 * leased with one conditional UPDATE (`FOR UPDATE SKIP LOCKED`), so several processes never take
 * the same row at once. Returns how many hook calls it made.
 */
export async function deliverOwedHooks(
  deps: HookDeps,
  options: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100));
  let delivered = 0;
  for (;;) {
    const rows = await deps.db.query(
      `update hook_outbox set claimed_until = now() + make_interval(secs => $1::double precision)
      where id in (
        select id from hook_outbox where claimed_until < now()
        order by id limit $2::int for update skip locked
      )
      returning id, hook, event`,
      [leaseSecs(deps), batchSize],
    );
    // In the order they were owed: a later refund's onCancelled after an earlier one's.
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    for (const row of rows) {
      const name = row.hook as HookName;
      deps.log("warn", "delivering a hook its writer did not", { hook: name });
      await deliverHook(deps, row.id, name, eventOf(row.event) as never);
      delivered++;
    }
    if (rows.length < batchSize) return delivered;
  }
}
