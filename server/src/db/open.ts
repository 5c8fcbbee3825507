/**
 * Opens the database named by DATABASE_URL and applies the committed migrations (unless told
 * not to, for deployments that migrate once in a separate step):
 * unset → embedded PGlite in ./.data/pglite, `memory://` → in-memory PGlite, a directory path or
 * `file://` URL → PGlite there, `postgres://` → PostgreSQL through postgres.js.
 */
import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { preparedQuery } from "./pglite-query.js";
import { pgliteTemplate } from "./pglite-template.js";
import * as schema from "./schema.js";

export const DEFAULT_PGLITE_DIR = "./.data/pglite";
const migrationsFolder = fileURLToPath(new URL("./migrations/", import.meta.url));

/** The drizzle API both drivers share. */
export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A result row as the driver returns it: column names, driver values (see rows.ts). */
export type RawRow = Record<string, unknown>;

export interface Db {
  drizzle: Drizzle;
  /**
   * One parameterised statement, straight to the driver: for the verify path's hot statements,
   * whose per-request cost drizzle's query building would dominate. On PostgreSQL each text is
   * prepared once per connection, on PGlite once per text (pglite-query.ts). Pass parameters as strings, numbers, booleans or null, with
   * casts in the SQL (drizzle's driver setup makes Date and JSON serializers transparent).
   */
  query(text: string, params: readonly unknown[]): Promise<RawRow[]>;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

export async function openDb(url: string | undefined, options: OpenDbOptions = {}): Promise<Db> {
  const migrate = options.migrate ?? true;
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url, migrate);
  return openPglite(url ?? DEFAULT_PGLITE_DIR, migrate);
}

/** Any constant: the advisory lock key that serialises migrations across processes. */
const MIGRATION_LOCK = 0x1a3b0a7;

async function openPostgres(url: string, migrate: boolean): Promise<Db> {
  // Notices ("schema drizzle already exists") are noise in our logs.
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres(sql, { schema });
  if (migrate) {
    try {
      // Several processes starting at once on a fresh database would race to create the same
      // tables (drizzle's migrator takes no lock): one migrates, the others wait, then find
      // nothing left to do. The lock belongs to one reserved connection, released after.
      const lock = await sql.reserve();
      try {
        await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(db, { migrationsFolder });
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
        lock.release();
      }
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
  }
  return {
    drizzle: db as unknown as Drizzle,
    kind: "postgres",
    query: (text, params) => sql.unsafe<RawRow[]>(text, params as never[], { prepare: true }),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * PostgreSQL's default 128 MB of shared buffers, in WebAssembly memory the process keeps resident
 * (measured: 328 MB resident with 128 MB, 229 MB with 16 MB). One connection serving a shop's
 * working set needs far less.
 */
const PGLITE_CONF = ["shared_buffers = 32MB"];

async function openPglite(location: string, migrate: boolean): Promise<Db> {
  let dataDir: string | undefined;
  let fresh = location === "memory://";
  if (!fresh) {
    dataDir = location.startsWith("file://") ? fileURLToPath(location) : location;
    await mkdir(dataDir, { recursive: true });
    fresh = !(await access(join(dataDir, "PG_VERSION")).then(
      () => true,
      () => false,
    ));
  }
  // A new database starts from initdb's output made once (pglite-template.ts), not from initdb.
  // One options object: `new PGlite(undefined, options)` ignores its options (memory:// did).
  const client = new PGlite({
    ...(dataDir === undefined ? {} : { dataDir }),
    postgresqlconf: PGLITE_CONF,
    ...(fresh ? { loadDataDir: await pgliteTemplate() } : {}),
  });
  const db = drizzlePglite(client, { schema });
  try {
    if (migrate) await migratePglite(db, { migrationsFolder });
  } catch (error) {
    await client.close();
    throw error;
  }
  let closed = false;
  return {
    drizzle: db as unknown as Drizzle,
    kind: "pglite",
    query: preparedQuery(client),
    async close() {
      // An unclosed PGlite keeps Node alive (docs/development.md); closing twice throws.
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
