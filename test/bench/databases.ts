/**
 * The databases a run measures: PGlite in a temporary directory always, and PostgreSQL when
 * DATABASE_URL names one, in a database of the run's own (created here, dropped afterwards) so
 * the bench never touches what tests or others keep in DATABASE_URL's database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "@iamport-pay/server";

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
  return { kind: "postgres", ...(await createScratchDatabase(base, "bench")) };
}
