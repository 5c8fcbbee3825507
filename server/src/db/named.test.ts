// Named statements compile once to PostgreSQL's positional placeholders and bind by name.
import { describe, expect, it } from "vitest";
import { statement } from "./named.js";

describe("named statements", () => {
  it("number each name once, in order of first use, and leave :: casts alone", () => {
    const s = statement<{ id: string; when: string }>(
      "select :id::text, :when::timestamptz, :id::text as again, x::int from t where a=:when",
    );

    expect(s.text).toBe(
      "select $1::text, $2::timestamptz, $1::text as again, x::int from t where a=$2",
    );
    expect(s.names).toEqual(["id", "when"]);
  });

  it("bind an object's values in that order, nulls included", async () => {
    const sent: unknown[][] = [];
    const s = statement<{ a: number; b: string | null }>("select :b::text, :a::int");
    await s.run(
      {
        query: async (_text, params) => {
          sent.push([...params]);
          return [];
        },
      },
      { a: 1, b: null },
    );

    expect(sent).toEqual([[null, 1]]);
  });

  it("refuse to bind a missing parameter rather than send undefined", () => {
    const s = statement<{ a: number }>("select :a::int");

    expect(() => s.run({ query: async () => [] }, {} as { a: number })).toThrow(/:a is missing/);
  });
});
