// Db.query on PGlite through statements prepared once per text (pglite-query.ts).
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparedQuery } from "./pglite-query.js";

let client: PGlite;
let query: ReturnType<typeof preparedQuery>;

beforeAll(async () => {
  client = new PGlite();
  await client.exec(`create table t (
    id bigserial primary key, name text not null unique, amount bigint, ok boolean,
    doc jsonb, at timestamptz, ratio double precision
  )`);
  query = preparedQuery(client);
}, 120_000);

afterAll(async () => {
  await client?.close();
});

/** Named prepared statements the session holds (ours: `iamport_pay_…`). */
async function preparedCount(): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from pg_prepared_statements where name like 'iamport_pay_%'",
  );
  return rows[0]!.n;
}

describe("a statement prepared once per text", () => {
  const insert = `insert into t (name, amount, ok, doc, at, ratio)
    values ($1::text, $2::bigint, $3::boolean, $4::jsonb, $5::timestamptz, $6::double precision)
    returning *`;

  it("returns the same rows as PGlite's own query for every kind of parameter the verify path sends", async () => {
    const params = [
      "a",
      1500,
      true,
      JSON.stringify({ k: [1, "x"] }),
      "2026-01-02T03:04:05.000Z",
      60,
    ];
    const [row] = await query(insert, params);
    const again = await client.query("select * from t where name = $1::text", ["a"]);
    expect(row).toEqual(again.rows[0]);
    expect(row).toMatchObject({
      name: "a",
      amount: 1500,
      ok: true,
      doc: { k: [1, "x"] },
      at: new Date("2026-01-02T03:04:05.000Z"),
      ratio: 60,
    });
    const [nulls] = await query(insert, ["b", null, null, null, null, null]);
    expect(nulls).toMatchObject({ name: "b", amount: null, ok: null, doc: null, at: null });
  });

  it("keeps two texts apart and runs each again with new parameters", async () => {
    const byName = "select name, amount from t where name = $1::text";
    const count = "select count(*)::int as n from t where amount > $1::bigint";
    await query(insert, ["c", 10, false, null, null, null]);
    expect(await query(byName, ["c"])).toEqual([{ name: "c", amount: 10 }]);
    expect(await query(count, [5])).toEqual([{ n: 2 }]);
    expect(await query(byName, ["a"])).toEqual([{ name: "a", amount: 1500 }]);
    expect(await query(count, [1000])).toEqual([{ n: 1 }]);
    expect(await query(byName, ["nobody"])).toEqual([]);
  });

  it("answers no rows for a statement without a result and runs it once per call", async () => {
    const bump = "update t set amount = amount + $1::bigint where name = $2::text";
    expect(await query(bump, [1, "c"])).toEqual([]);
    expect(await query(bump, [1, "c"])).toEqual([]);
    expect(await query("select amount from t where name = $1::text", ["c"])).toEqual([
      { amount: 12 },
    ]);
  });

  it("leaves the connection usable after a statement fails, and the same text runs again", async () => {
    await expect(query(insert, ["a", 1, true, null, null, null])).rejects.toThrow(/duplicate key/);
    await expect(query("select from nowhere_at_all", [])).rejects.toThrow(/nowhere_at_all/);
    const [row] = await query(insert, ["d", 1, true, null, null, null]);
    expect(row).toMatchObject({ name: "d" });
    expect(client.isInTransaction()).toBe(false);
    // A text that failed to prepare is not kept: once its table exists it runs.
    await client.exec("create table later (x int)");
    expect(await query("select from nowhere_at_all", []).catch(() => "failed")).toBe("failed");
    expect(await query("select count(*)::int as n from later", [])).toEqual([{ n: 0 }]);
  });

  it("follows a migration that changes the columns a prepared `select *` returns", async () => {
    const all = "select * from t where name = $1::text";
    expect(Object.keys((await query(all, ["a"]))[0]!)).not.toContain("note");
    await client.exec("alter table t add column note text default 'hi'");
    const [row] = await query(all, ["a"]);
    expect(row).toMatchObject({ name: "a", note: "hi" });
  });

  it("prepares a statement again when the session's statements were dropped", async () => {
    const text = "select name from t where name = $1::text";
    expect(await query(text, ["a"])).toEqual([{ name: "a" }]);
    await client.exec("deallocate all");
    expect(await query(text, ["a"])).toEqual([{ name: "a" }]);
  });

  it("waits for another caller's transaction instead of running inside it", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inside!: () => void;
    const started = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const transaction = client.transaction(async (tx) => {
      await tx.query("insert into t (name) values ('in-tx')");
      inside();
      await released;
      await tx.rollback();
    });
    await started;
    let answered = false;
    const outside = query("select count(*)::int as n from t where name = 'in-tx'", []).then(
      (rows) => {
        answered = true;
        return rows;
      },
    );
    // Give the query every chance to run (it must not: the transaction holds PGlite).
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    release();
    await transaction;
    expect(await outside).toEqual([{ n: 0 }]);
  });

  it("keeps at most maxStatements prepared, closing the least recently used", async () => {
    await client.exec("deallocate all");
    const small = preparedQuery(client, { maxStatements: 2 });
    for (const n of [1, 2, 3, 1, 4]) {
      expect(await small(`select ${n}::int as n`, [])).toEqual([{ n }]);
    }
    expect(await preparedCount()).toBe(2);
  });

  it("lets two of them share one PGlite, each with its own statements", async () => {
    const first = preparedQuery(client);
    const second = preparedQuery(client);
    expect(await first("select 'first'::text as who", [])).toEqual([{ who: "first" }]);
    expect(await second("select 'second'::text as who", [])).toEqual([{ who: "second" }]);
    expect(await first("select 'first'::text as who", [])).toEqual([{ who: "first" }]);
  });

  it("waits for PGlite to start, and refuses a call once it is closed", async () => {
    const own = new PGlite();
    // Not awaited: the first call waits for the start.
    const ownQuery = preparedQuery(own);
    expect(await ownQuery("select 1::int as one", [])).toEqual([{ one: 1 }]);
    await own.close();
    await expect(ownQuery("select 1::int as one", [])).rejects.toThrow(/closed/);
  });
});
