/**
 * Opens the database named by DATABASE_URL and applies the committed migrations:
 * unset → embedded PGlite in ./.data/pglite, `memory://` → in-memory PGlite, a directory path or
 * `file://` URL → PGlite there, `postgres://` → PostgreSQL through postgres.js.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.js";

export const DEFAULT_PGLITE_DIR = "./.data/pglite";
const migrationsFolder = fileURLToPath(new URL("./migrations/", import.meta.url));

/** The drizzle API both drivers share. */
export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Db {
  drizzle: Drizzle;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

export async function openDb(url: string | undefined): Promise<Db> {
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  return openPglite(url ?? DEFAULT_PGLITE_DIR);
}

async function openPostgres(url: string): Promise<Db> {
  // Notices ("schema drizzle already exists") are noise in our logs.
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres(sql, { schema });
  try {
    await migratePostgres(db, { migrationsFolder });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return {
    drizzle: db as unknown as Drizzle,
    kind: "postgres",
    close: () => sql.end({ timeout: 5 }),
  };
}

async function openPglite(location: string): Promise<Db> {
  let dataDir: string | undefined;
  if (location !== "memory://") {
    dataDir = location.startsWith("file://") ? fileURLToPath(location) : location;
    await mkdir(dataDir, { recursive: true });
  }
  const client = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  const db = drizzlePglite(client, { schema });
  try {
    await migratePglite(db, { migrationsFolder });
  } catch (error) {
    await client.close();
    throw error;
  }
  let closed = false;
  return {
    drizzle: db as unknown as Drizzle,
    kind: "pglite",
    async close() {
      // An unclosed PGlite keeps Node alive (setup-notes.md); closing twice throws.
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
