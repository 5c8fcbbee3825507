/**
 * Money crosses our boundaries as an integer in the currency's minor unit (KRW and JPY have none,
 * so 64,900 won is 64900; USD has cents, so $12.50 is 1250). Iamport's REST API and SDK speak in
 * major units with decimals (`amount: 12.5`), so conversions happen here and nowhere else.
 *
 * This module has no dependencies, so the widget can import it without pulling in zod.
 */

/** Decimal places of the currencies Iamport's PGs settle in; unknown currencies are refused. */
export const currencyExponents = {
  KRW: 0,
  JPY: 0,
  USD: 2,
  EUR: 2,
  CNY: 2,
  GBP: 2,
  AUD: 2,
  CAD: 2,
  SGD: 2,
  HKD: 2,
  TWD: 0,
  VND: 0,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof currencyExponents;

export function isCurrency(value: string): value is Currency {
  return Object.hasOwn(currencyExponents, value);
}

/** Minor units (our integer) to the number Iamport expects in `amount`. */
export function toIamportAmount(minor: number, currency: Currency): number {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount ${minor} is not an integer`);
  const exponent = currencyExponents[currency];
  return exponent === 0 ? minor : Number((minor / 10 ** exponent).toFixed(exponent));
}

/**
 * Iamport's `amount` to minor units. Returns null when the number is not exactly representable
 * in the currency (e.g. 100.5 won, or 1.005 dollars): such an amount can never match an order.
 */
export function fromIamportAmount(amount: number, currency: Currency): number | null {
  if (!Number.isFinite(amount)) return null;
  const exponent = currencyExponents[currency];
  const minor = Math.round(amount * 10 ** exponent);
  if (!Number.isSafeInteger(minor)) return null;
  // Round-trip check: 1.005 * 100 = 100.49999…, which must not silently become 100 or 101.
  return Math.abs(minor / 10 ** exponent - amount) < 1e-9 ? minor : null;
}
