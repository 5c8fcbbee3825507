// PGlite in a directory: created (initdb in a worker thread) on first open, reused after.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDb } from "./open.js";

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("creates a new PGlite directory, migrates it, and finds its rows when reopened", async () => {
  dir = await mkdtemp(join(tmpdir(), "iamport-pay-open-"));
  const first = await openDb(join(dir, "data"));
  try {
    await first.query(
      "insert into orders (merchant_uid, name, amount, currency, items) values ($1::text, 'mug', 1000, 'KRW', '[]'::jsonb)",
      ["open-test-1"],
    );
  } finally {
    await first.close();
  }
  const again = await openDb(join(dir, "data"));
  try {
    const rows = await again.query(
      "select merchant_uid, (select setting from pg_settings where name = 'shared_buffers') as buffers from orders",
      [],
    );
    expect(rows).toEqual([{ merchant_uid: "open-test-1", buffers: "4096" }]);
  } finally {
    await again.close();
  }
}, 300_000);

it("gives an in-memory PGlite the same settings as one in a directory", async () => {
  const db = await openDb("memory://");
  try {
    const rows = await db.query(
      "select setting from pg_settings where name = 'shared_buffers' and to_regclass('orders') is not null",
      [],
    );
    expect(rows).toEqual([{ setting: "4096" }]);
  } finally {
    await db.close();
  }
}, 300_000);
