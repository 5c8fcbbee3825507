/**
 * Korean bank codes (the financial clearing house's 3-digit standard codes) Iamport takes as
 * `refund_bank` for virtual-account refunds. PortOne V1's list: https://developers.portone.io/docs/ko/tip/pg-1
 * UNCONFIRMED: whether every PG takes every code; securities firms' codes are left out.
 */
export const BANK_CODES: Readonly<Record<string, string>> = {
  "002": "KDB산업은행",
  "003": "IBK기업은행",
  "004": "KB국민은행",
  "007": "수협은행",
  "011": "NH농협은행",
  "012": "지역농축협",
  "020": "우리은행",
  "023": "SC제일은행",
  "027": "한국씨티은행",
  "031": "대구은행",
  "032": "부산은행",
  "034": "광주은행",
  "035": "제주은행",
  "037": "전북은행",
  "039": "경남은행",
  "045": "새마을금고",
  "048": "신협",
  "050": "저축은행",
  "054": "HSBC은행",
  "055": "도이치은행",
  "057": "JP모간체이스은행",
  "060": "BOA은행",
  "064": "산림조합",
  "071": "우체국",
  "081": "하나은행",
  "088": "신한은행",
  "089": "케이뱅크",
  "090": "카카오뱅크",
  "092": "토스뱅크",
};

export function isBankCode(code: string): boolean {
  return Object.hasOwn(BANK_CODES, code);
}
