/**
 * Maps a raw driver row (column names, driver values) to the row type drizzle would return, with
 * the table's own column decoders, so statements sent through `Db.query` give the same objects
 * as drizzle's selects on both drivers.
 */
import { getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { RawRow } from "./open.js";

export function rowMapper<T>(table: PgTable): (raw: RawRow) => T {
  const columns = Object.entries(getTableColumns(table)).map(
    ([key, column]) => [key, column.name, column] as const,
  );
  return (raw) => {
    const row: Record<string, unknown> = {};
    for (const [key, name, column] of columns) {
      const value = raw[name];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as T;
  };
}
