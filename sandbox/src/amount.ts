/**
 * Iamport speaks amounts in the currency's major unit (64,900 won is 64900; $12.50 is 12.5). An
 * amount the currency cannot hold (100.5 won) or an unknown currency is refused, as a PG would.
 */
import { fromIamportAmount, isCurrency } from "@iamport-pay/shared";

/** Why the amount is not payable in that currency, or null when it is. */
export function amountProblem(amount: number, currency: string): string | null {
  if (!isCurrency(currency)) return `Unsupported currency ${currency}.`;
  if (!(amount > 0) || fromIamportAmount(amount, currency) === null) {
    return `amount ${amount} is not a valid ${currency} amount.`;
  }
  return null;
}
