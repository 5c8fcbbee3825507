/**
 * A throwaway PostgreSQL database beside `baseUrl`'s, for tests and benchmarks that must not trip
 * over each other or over what others keep in that database: created now, dropped by `drop()`.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(
  baseUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  if (!/^[a-z_]+$/.test(prefix)) throw new Error(`bad database name prefix: ${prefix}`);
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new URL(baseUrl);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end({ timeout: 5 });
    },
  };
}
