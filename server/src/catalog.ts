/**
 * Prices a cart from the server's catalog: the browser names products and quantities, never
 * amounts. Amounts are integers in the currency's minor unit (shared/src/money.ts).
 */
import { readFile } from "node:fs/promises";
import {
  type CartItem,
  Catalog,
  formatZodError,
  isCurrency,
  type Product,
} from "@iamport-pay/shared";
import type { StoredItem } from "./db/schema.js";
import { AppError } from "./errors.js";

export interface PricedOrder {
  name: string;
  /** Total in minor units. */
  amount: number;
  currency: string;
  items: StoredItem[];
}

/** A small demo catalog for sandbox mode and first runs. */
export const demoCatalog: Product[] = [
  { sku: "chair-001", name: "원목 의자", amount: 64_900, currency: "KRW" },
  { sku: "mug-002", name: "머그컵", amount: 12_000, currency: "KRW" },
  { sku: "lamp-003", name: "스탠드 조명", amount: 38_500, currency: "KRW" },
];

/** Reads and validates a CATALOG file; errors name the variable, for loadConfig-style messages. */
export async function loadCatalog(path: string): Promise<Product[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(
      `Invalid configuration: CATALOG: cannot read ${path} as JSON (${(error as Error).message})`,
    );
  }
  return checkCatalog(raw, "Invalid configuration: CATALOG");
}

/**
 * Validates a catalog (a CATALOG file's, or one given to createApp in code): every product needs a
 * sku, name, integer amount and supported currency, and skus are unique. A bad entry stops start-up
 * with a message naming it; otherwise it would surface later as a misleading answer to a shopper.
 */
export function checkCatalog(raw: unknown, label: string): Product[] {
  const parsed = Catalog.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${label}: ${formatZodError(parsed.error)}`);
  }
  const seen = new Set<string>();
  for (const product of parsed.data) {
    if (seen.has(product.sku)) throw new Error(`${label}: duplicate sku ${product.sku}`);
    if (!isCurrency(product.currency)) {
      throw new Error(`${label}: ${product.sku}: unsupported currency ${product.currency}`);
    }
    seen.add(product.sku);
  }
  return parsed.data;
}

export function priceCart(catalog: readonly Product[], cart: readonly CartItem[]): PricedOrder {
  const bySku = new Map(catalog.map((product) => [product.sku, product]));
  const quantities = new Map<string, number>();
  // The same SKU on two lines is one line: the quantity bound applies to the sum.
  for (const item of cart)
    quantities.set(item.sku, (quantities.get(item.sku) ?? 0) + item.quantity);

  const items: StoredItem[] = [];
  let amount = 0;
  let currency: string | undefined;
  for (const [sku, quantity] of quantities) {
    const product = bySku.get(sku);
    if (product === undefined) throw new AppError(422, "unknown_sku", `Unknown product: ${sku}`);
    if (quantity > 999) throw new AppError(422, "order_rejected", `Too many of ${sku}`);
    if (currency !== undefined && currency !== product.currency) {
      throw new AppError(422, "order_rejected", "A cart must be in one currency");
    }
    currency = product.currency;
    amount += product.amount * quantity;
    items.push({ sku, name: product.name, quantity, amount: product.amount });
  }
  const first = items[0];
  if (first === undefined || currency === undefined)
    throw new AppError(400, "bad_request", "The cart is empty");
  if (!Number.isSafeInteger(amount))
    throw new AppError(422, "order_rejected", "The total is too large");
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  // Iamport shows `name` to the shopper; "의자 외 2건" is the usual Korean form for a cart.
  const name =
    units === first.quantity ? first.name : `${first.name} 외 ${units - first.quantity}건`;
  return { name, amount, currency, items };
}
