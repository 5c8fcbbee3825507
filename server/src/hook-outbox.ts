/**
 * Durable hooks (a transactional outbox). Every hook call owed is a `hook_outbox` row written in
 * the same statement as the transition (or claim) that owes it, already leased to its writer for
 * `hookLeaseMs`. The writer answers its caller once that statement has committed; its hook queue
 * (createHookQueue) then calls the hook, and deletes the delivered rows in batches. A process
 * killed in between leaves the row behind; once its lease has passed, `deliverOwedHooks` (run by
 * the reconciler's loop and when a server starts) leases it again, calls the hook and deletes it.
 * So hooks are at-least-once across crashes, and exactly once when nothing crashes and a hook
 * returns within its lease; one order's hooks are called in the order they were owed (HookQueue).
 * Never a transaction across a hook call (PGlite has one connection).
 *
 * A hook that throws has been delivered: it is logged and its row deleted, as before the outbox
 * (retrying a merchant's bug every lease would only repeat the error; catch and queue inside the
 * hook if its work must be retried).
 */
import type { Db } from "./db/open.js";
import { rowMapper } from "./db/rows.js";
import { type OrderRow, orders } from "./db/schema.js";
import type { Hooks } from "./hooks.js";
import type { Logger } from "./logger.js";
import { deleteDeliveredSql, type HookHold, jsonRow, leaseOwedSql } from "./order-statements.js";
import { toOrderView } from "./order-view.js";

export type HookName = keyof Hooks;

/** How long a hook call may take before the sweeper may call it again (HOOK_LEASE_MS). */
export const DEFAULT_HOOK_LEASE_MS = 60_000;

export interface HookDeps {
  db: Db;
  hooks?: Hooks;
  hookLeaseMs?: number;
  log: Logger;
  /**
   * Where owed hooks are called from (createHookQueue): after the caller's answer. Without one,
   * each is called, and its row deleted, before the verify call returns.
   */
  hookQueue?: HookQueue | undefined;
}

/** The hook's name when it is configured (only configured hooks are owed), else null. */
export function owedHook(deps: HookDeps, name: HookName): HookName | null {
  return deps.hooks?.[name] === undefined ? null : name;
}

/** The lease in seconds, as the owed-row statements take it (`make_interval(secs => …)`). */
export function leaseSecs(deps: Pick<HookDeps, "hookLeaseMs">): number {
  return Math.max(0, deps.hookLeaseMs ?? DEFAULT_HOOK_LEASE_MS) / 1000;
}

type Event<K extends HookName> = Parameters<NonNullable<Hooks[K]>>[0];

/** Calls the hook if it is configured; a throw is logged, and counts as delivered. */
async function callHook(deps: HookDeps, name: HookName, event: unknown): Promise<void> {
  const hook = deps.hooks?.[name] as ((event: unknown) => unknown) | undefined;
  if (hook === undefined) return;
  try {
    await hook(event);
  } catch (error) {
    deps.log("error", `hook ${name} threw`, { error: (error as Error).message });
  }
}

/** Deletes delivered hooks' rows in one statement; a failure leaves them to the sweeper. */
async function deleteDelivered(deps: HookDeps, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await deleteDeliveredSql.run(deps.db, { ids: `{${ids.join(",")}}` });
  } catch (error) {
    // The hooks ran; the sweeper will call them again after the lease (at-least-once).
    deps.log("warn", "could not delete delivered hooks' outbox rows", {
      rows: ids.length,
      error: (error as Error).message,
    });
  }
}

const idOf = (id: unknown): string | null => (id === null || id === undefined ? null : String(id));

/**
 * Sends an owed hook (`id` is its outbox row; null: none was written): queued on
 * `deps.hookQueue`, to be called after the caller answers; without a queue, called and its row
 * deleted now.
 */
export async function sendHook<K extends HookName>(
  deps: HookDeps,
  merchantUid: string,
  id: unknown,
  name: K,
  event: Event<K>,
): Promise<void> {
  if (deps.hookQueue) return deps.hookQueue.send(merchantUid, id, name, event);
  await callHook(deps, name, event);
  const row = idOf(id);
  if (row !== null) await deleteDelivered(deps, [row]);
}

/**
 * Owed hooks, called off the response path: a verification answers once its transition is
 * committed, and its hook is called after. Keeps the outbox's guarantees:
 * - at-least-once across crashes: the row stays until its hook has been called, and is deleted
 *   after (a process that dies first leaves it to the sweeper, once its lease has passed);
 * - exactly once when nothing crashes and the hook returns within its lease;
 * - one order's hooks are called one at a time, in the order they were owed (outbox id order):
 *   while a statement that may owe one of the order's hooks is in flight (`owing`), the order's
 *   queued hooks wait for it, so a refund's onCancelled never comes before that order's onPaid
 *   (within this process; a crashed process's hooks come from the sweeper, later);
 * - a hook that throws is logged and counts as delivered.
 * Delivered rows are deleted in batches: one `delete … where id = any(…)` for every hook that
 * finished since the last one started, never one per verification under load.
 */
export interface HookQueue extends HookHold {
  send(merchantUid: string, id: unknown, name: HookName, event: unknown): void;
  /**
   * Resolves once every hook queued so far (and queued while waiting) has been called and the
   * delete of its row has finished: for shutdown, tests and library users, instead of sleeping.
   */
  settled(): Promise<void>;
}

interface Job {
  id: string | null;
  name: HookName;
  event: unknown;
}

/** One order's queue: statements in flight that may owe it a hook, and hooks to call. */
interface Lane {
  holds: number;
  jobs: Job[];
  running: boolean;
}

/** Outbox ids are a bigint sequence: compare them as such (a null id goes last). */
const byId = (a: Job, b: Job): number =>
  a.id === null ? 1 : b.id === null ? -1 : Number(BigInt(a.id) - BigInt(b.id));

export function createHookQueue(deps: Omit<HookDeps, "hookQueue">): HookQueue {
  const lanes = new Map<string, Lane>();
  let pending = 0;
  let finished: string[] = [];
  let deleteScheduled = false;
  let deleting = false;
  let waiters: (() => void)[] = [];

  const laneOf = (key: string): Lane => {
    let lane = lanes.get(key);
    if (lane === undefined) {
      lane = { holds: 0, jobs: [], running: false };
      lanes.set(key, lane);
    }
    return lane;
  };
  const idle = () => pending === 0 && finished.length === 0 && !deleteScheduled && !deleting;
  const checkIdle = () => {
    if (!idle() || waiters.length === 0) return;
    const wake = waiters;
    waiters = [];
    for (const resolve of wake) resolve();
  };

  const scheduleDelete = () => {
    if (deleteScheduled || deleting) return;
    deleteScheduled = true;
    // The next turn of the event loop: hooks that finish together share one delete.
    setImmediate(() => {
      deleteScheduled = false;
      const ids = finished;
      finished = [];
      deleting = true;
      void deleteDelivered(deps, ids).finally(() => {
        deleting = false;
        if (finished.length > 0) scheduleDelete();
        checkIdle();
      });
    });
  };

  const pump = async (key: string) => {
    const lane = lanes.get(key);
    if (lane === undefined || lane.running) return;
    lane.running = true;
    while (lane.holds === 0 && lane.jobs.length > 0) {
      const job = lane.jobs.shift() as Job;
      await callHook(deps, job.name, job.event);
      if (job.id !== null) {
        finished.push(job.id);
        scheduleDelete();
      }
      pending--;
    }
    lane.running = false;
    if (lane.holds === 0 && lane.jobs.length === 0) lanes.delete(key);
    checkIdle();
  };
  // Called on the next turn of the event loop, after the caller's synchronous work (its answer,
  // and the send of a hook its statement just owed) is done.
  const pumpSoon = (key: string) => setImmediate(() => void pump(key));

  return {
    owing(key, statement) {
      const lane = laneOf(key);
      lane.holds++;
      return statement.finally(() => {
        lane.holds--;
        if (lane.holds === 0) pumpSoon(key);
      });
    },
    send(key, id, name, event) {
      if (deps.hooks?.[name] === undefined && idOf(id) === null) return;
      const lane = laneOf(key);
      lane.jobs.push({ id: idOf(id), name, event });
      lane.jobs.sort(byId);
      pending++;
      if (lane.holds === 0) pumpSoon(key);
    },
    settled() {
      if (idle()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/**
 * Waits for the queue to settle, at most the hook lease: past it, another process's sweeper may
 * call a hook still running anyway, and one never finishing must not hold a shutdown forever;
 * whatever is left is still owed in the outbox, and the next sweep delivers it.
 */
export async function settledWithinLease(
  queue: HookQueue,
  deps: Pick<HookDeps, "hookLeaseMs">,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const lease = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, leaseSecs(deps) * 1000);
  });
  try {
    await Promise.race([queue.settled(), lease]);
  } finally {
    clearTimeout(timer);
  }
}

const toOrderRow = rowMapper<OrderRow>(orders);

/** The hook's event from its stored form (the order as a raw orders row, decoded to its view). */
function eventOf(stored: unknown): Record<string, unknown> {
  const { order, ...rest } = jsonRow(stored);
  return { ...rest, order: toOrderView(toOrderRow(jsonRow(order))) };
}

/**
 * Delivers owed hooks whose lease has passed (their writer died or is too slow): each batch is
 * leased with one conditional UPDATE (`FOR UPDATE SKIP LOCKED`), so several processes never take
 * the same row at once, and its rows are deleted together once all its hooks were called.
 * Returns how many hook calls it made.
 */
export async function deliverOwedHooks(
  deps: HookDeps,
  options: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100));
  let delivered = 0;
  for (;;) {
    const rows = await leaseOwedSql.run(deps.db, { leaseSecs: leaseSecs(deps), batchSize });
    // In the order they were owed: a later refund's onCancelled after an earlier one's.
    rows.sort((a, b) => Number(BigInt(String(a.id)) - BigInt(String(b.id))));
    for (const row of rows) {
      const name = row.hook as HookName;
      deps.log("warn", "delivering a hook its writer did not", { hook: name });
      await callHook(deps, name, eventOf(row.event));
      delivered++;
    }
    await deleteDelivered(
      deps,
      rows.map((row) => String(row.id)),
    );
    if (rows.length < batchSize) return delivered;
  }
}
