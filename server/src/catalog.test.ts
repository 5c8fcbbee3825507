import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog, priceCart } from "./catalog.js";
import type { AppError } from "./errors.js";

const catalog = [
  { sku: "a", name: "Apple", amount: 1_000, currency: "KRW" },
  { sku: "b", name: "Banana", amount: 2_500, currency: "KRW" },
  { sku: "usd", name: "Import", amount: 1_250, currency: "USD" },
];

describe("priceCart", () => {
  it("adds integer amounts and merges lines of the same product", () => {
    const priced = priceCart(catalog, [
      { sku: "a", quantity: 2 },
      { sku: "b", quantity: 1 },
      { sku: "a", quantity: 1 },
    ]);
    expect(priced).toMatchObject({ amount: 5_500, currency: "KRW", name: "Apple 외 1건" });
    expect(priced.items).toEqual([
      { sku: "a", name: "Apple", quantity: 3, amount: 1_000 },
      { sku: "b", name: "Banana", quantity: 1, amount: 2_500 },
    ]);
  });

  it("refuses unknown products and carts in two currencies", () => {
    const code = (cart: { sku: string; quantity: number }[]) => {
      try {
        priceCart(catalog, cart);
      } catch (error) {
        return (error as AppError).code;
      }
    };
    expect(code([{ sku: "zzz", quantity: 1 }])).toBe("unknown_sku");
    expect(
      code([
        { sku: "a", quantity: 1 },
        { sku: "usd", quantity: 1 },
      ]),
    ).toBe("order_rejected");
  });
});

describe("loadCatalog", () => {
  async function file(content: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "catalog-")), "catalog.json");
    await writeFile(path, content);
    return path;
  }

  it("reads a valid file, with KRW as the default currency", async () => {
    const products = await loadCatalog(await file('[{"sku":"x-1","name":"X","amount":500}]'));
    expect(products).toEqual([{ sku: "x-1", name: "X", amount: 500, currency: "KRW" }]);
  });

  it.each([
    ["not JSON", "{"],
    ["a fractional amount", '[{"sku":"x","name":"X","amount":1.5}]'],
    ["a duplicate sku", '[{"sku":"x","name":"X","amount":1},{"sku":"x","name":"Y","amount":2}]'],
    ["an unsupported currency", '[{"sku":"x","name":"X","amount":1,"currency":"XYZ"}]'],
  ])("refuses %s with a message naming CATALOG", async (_name, content) => {
    await expect(loadCatalog(await file(content))).rejects.toThrow(
      /^Invalid configuration: CATALOG: /,
    );
  });
});

describe("a catalog given in code", () => {
  it("prices an entry without a currency in KRW, as a CATALOG file does", async () => {
    const { createApp } = await import("./app.js");
    const { openDb } = await import("./db/open.js");
    const db = await openDb("memory://");
    try {
      const products = [{ sku: "mug", name: "Mug", amount: 12_000 }] as never;
      const app = createApp({ db, catalog: products, impCode: "imp00000000" } as never);
      const answer = await app.request("/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: [{ sku: "mug", quantity: 2 }] }),
      });
      expect(answer.status).toBe(201);
      expect(await answer.json()).toMatchObject({ amount: 24_000, currency: "KRW" });
    } finally {
      await db.close();
    }
  });

  it("stops createApp with a message naming a bad entry", async () => {
    const { createApp } = await import("./app.js");
    const db = { kind: "pglite" } as never;
    const products = [{ sku: "mug", name: "Mug", amount: 12.5 }] as never;
    expect(() => createApp({ db, catalog: products, impCode: "imp00000000" } as never)).toThrow(
      /^createApp: catalog: /,
    );
  });
});
