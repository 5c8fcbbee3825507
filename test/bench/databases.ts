/**
 * The databases a run measures: PGlite in a temporary directory always, and PostgreSQL when
 * DATABASE_URL names one, in a database of the run's own (created here, dropped afterwards) so
 * the bench never touches what tests or others keep in DATABASE_URL's database.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

export interface BenchDatabase {
  kind: "pglite" | "postgres";
  url: string;
  drop(): Promise<void>;
}

export async function pgliteDatabase(): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "iamport-pay-bench-"));
  return { kind: "pglite", url: dir, drop: () => rm(dir, { recursive: true, force: true }) };
}

export async function postgresDatabase(base: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(6).toString("hex")}`;
  const admin = new URL(base);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    kind: "postgres",
    url: url.toString(),
    async drop() {
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end({ timeout: 5 });
    },
  };
}
