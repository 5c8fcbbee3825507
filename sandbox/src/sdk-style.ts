/**
 * Which answer style a PG gets from Iamport's V1 SDK. PortOne's V1 guide lists PGs for which
 * `v1/iamport.js` passes the callback only `imp_uid`, `merchant_uid`, `error_code` and
 * `error_msg` (no `success`), and `m_redirect_url` gets no `imp_success`/`success`: new Toss
 * Payments, Smartro (new module), NICE v2, PayPal (v2), KSNET and Welcome Payments.
 * UNCONFIRMED: the exact `pg` codes; these are the ones PortOne's V1 PG pages use.
 */
export const NEWER_STYLE_PGS: ReadonlySet<string> = new Set([
  "tosspayments",
  "smartro_v2",
  "nice_v2",
  "paypal_v2",
  "ksnet",
  "welcome",
]);

export function usesNewerStyle(pgProvider: string): boolean {
  return NEWER_STYLE_PGS.has(pgProvider);
}
