/** The OpenAPI document gives `merchant_uid` a maxLength of 40; longer ones are refused. */
export const MERCHANT_UID_MAX = 40;
export const MERCHANT_UID_TOO_LONG = "merchant_uid 는 40자 이내여야 합니다.";
