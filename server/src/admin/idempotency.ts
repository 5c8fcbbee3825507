/**
 * `Idempotency-Key` for the admin API's refunds: the first request with a key runs; a repeat
 * within 24 hours gets the first answer without running again (so Iamport is called once). Only
 * successes are kept: a refused or failed request changed nothing, and may be retried with the
 * same key. The same key with a different request is refused, as Stripe does.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/open.js";
import { AppError } from "../errors.js";

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * A request still unanswered after this long died with its process (a refund's lease is 2
 * minutes): the same request may run again. Safe even if the dead one reached Iamport: the
 * refund's checksum then no longer matches and Iamport refuses it.
 */
const STALE_RUN_MS = 5 * 60 * 1000;

export const IdempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export function fingerprintOf(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export type Claimed =
  | { kind: "run"; finish(status: number, body: unknown): Promise<void>; abandon(): Promise<void> }
  | { kind: "replay"; status: number; body: unknown };

/** Claims the key for this request, or says what the first request with it answered. */
export async function claimKey(db: Db, key: string, fingerprint: string): Promise<Claimed> {
  const windowSecs = IDEMPOTENCY_WINDOW_MS / 1000;
  // A key older than the window is free again, and so is a run that died: take it over in the
  // same statement.
  const claimed = await db.query(
    `insert into admin_idempotency_keys (key, fingerprint) values ($1::text, $2::text)
      on conflict (key) do update
        set fingerprint = excluded.fingerprint, created_at = now(),
          response_status = null, response_body = null
        where admin_idempotency_keys.created_at < now() - make_interval(secs => $3::double precision)
          or (admin_idempotency_keys.response_status is null
            and admin_idempotency_keys.fingerprint = excluded.fingerprint
            and admin_idempotency_keys.created_at < now() - make_interval(secs => $4::double precision))
      returning key`,
    [key, fingerprint, windowSecs, STALE_RUN_MS / 1000],
  );
  if (claimed.length === 1) {
    return {
      kind: "run",
      async finish(status, body) {
        await db.query(
          `update admin_idempotency_keys set response_status = $2::bigint, response_body = $3::jsonb
            where key = $1::text`,
          [key, status, JSON.stringify(body)],
        );
      },
      async abandon() {
        await db.query(
          "delete from admin_idempotency_keys where key = $1::text and response_status is null",
          [key],
        );
      },
    };
  }
  const [row] = await db.query(
    `select fingerprint, response_status, response_body::text as body
      from admin_idempotency_keys where key = $1::text`,
    [key],
  );
  if (row === undefined) {
    // Abandoned between our two statements: the earlier request failed; this one may run.
    return claimKey(db, key, fingerprint);
  }
  if (row.fingerprint !== fingerprint) {
    throw new AppError(
      422,
      "idempotency_key_reused",
      "This Idempotency-Key was used for a different request",
    );
  }
  if (row.response_status === null) {
    throw new AppError(
      409,
      "refund_in_progress",
      "A request with this Idempotency-Key is still running; retry shortly",
    );
  }
  return {
    kind: "replay",
    status: Number(row.response_status),
    body: JSON.parse(String(row.body)),
  };
}
