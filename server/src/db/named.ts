/**
 * Statements with named parameters for `Db.query`: the text is written with `:name`
 * placeholders and compiled once, at load, into PostgreSQL's `$1…$n` and the list of names in
 * that order. A call only picks the values out of its parameter object (no string work), so
 * PostgreSQL still sees one fixed text per statement and prepares it once per connection.
 *
 * A placeholder is `:` and an identifier, not preceded by another `:` (so `::text` casts are
 * left alone). Texts are our own constants: never put input, quoted strings with colons or
 * comments in them.
 */
import type { Db, RawRow } from "./open.js";

export interface Statement<P> {
  /** The compiled text, with `$n` placeholders. */
  readonly text: string;
  /** The parameter names in `$n` order. */
  readonly names: readonly (keyof P & string)[];
  /** Runs the statement with the parameters of `params`. */
  run(db: Pick<Db, "query">, params: P): Promise<RawRow[]>;
}

const placeholder = /(?<![:\w]):([A-Za-z_]\w*)/g;

export function statement<P extends object>(text: string): Statement<P> {
  const names: (keyof P & string)[] = [];
  const compiled = text.replace(placeholder, (_match, name: string) => {
    let index = names.indexOf(name as keyof P & string);
    if (index < 0) index = names.push(name as keyof P & string) - 1;
    return `$${index + 1}`;
  });
  const values = (params: P): unknown[] =>
    names.map((name) => {
      const value = params[name];
      // A missing parameter is a bug of ours: say which, rather than bind undefined.
      if (value === undefined) throw new Error(`statement parameter :${name} is missing`);
      return value;
    });
  return {
    text: compiled,
    names,
    run: (db, params) => db.query(compiled, values(params)),
  };
}
