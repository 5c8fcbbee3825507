/**
 * Shared by the browser tests: a fresh fake server per test, and the fake SDK's behaviour. The
 * element is not imported here: helpers.ts does, from src/; the built scripts' tests load dist/.
 */
import type { RequestPayParam, RequestPayResponse } from "@iamport-pay/shared";
import { fixture, waitUntil } from "@open-wc/testing";
import type { IamportPayButton } from "../src/iamport-pay-button.js";

type Respond = (param: RequestPayParam) => RequestPayResponse | Promise<RequestPayResponse>;
type FakeWindow = Window & {
  fakeIamport?: { respond?: Respond };
  impCalls?: ({ init: string } | { param: RequestPayParam })[];
  fakeSdkLoads?: number;
  IMP?: unknown;
};
export const page = window as FakeWindow;

// Payments a test started must not be resumed by the next test's button.
beforeEach(() => {
  sessionStorage.clear();
});

/** Records a payment as started by the page's button `key` (`@0` the first, or `#id`). */
export function startedHere(merchant_uid: string, key = "@0", imp_uid?: string) {
  const record = { merchant_uid, imp_uid, approved: imp_uid !== undefined, key, at: Date.now() };
  const list = JSON.parse(sessionStorage.getItem("iamport-pay.pending") ?? "[]");
  sessionStorage.setItem("iamport-pay.pending", JSON.stringify([...list, record]));
}

let runs = 0;
/** A server base URL whose requests no other test sees; `scenario` picks the fake's answers. */
export function fakeServer(scenario = "ok") {
  runs += 1;
  const run = `${Date.now().toString(36)}${runs}`;
  return {
    url: `/api/${run}/${scenario}`,
    /** The requests this run made, in order. */
    log: async (): Promise<{ method: string; path: string; body: Record<string, unknown> }[]> =>
      (await fetch(`/api-log/${run}`)).json(),
  };
}

/** How the fake `IMP.request_pay` answers from now on. */
export function sdkAnswers(respond: Respond) {
  page.fakeIamport = { respond };
}

export const approve: Respond = (p) => ({
  success: true,
  imp_uid: `imp_paid_${p.merchant_uid}`,
  merchant_uid: p.merchant_uid,
});
export const issueVbank: Respond = (p) => ({
  success: true,
  imp_uid: `imp_vbank_${p.merchant_uid}`,
  merchant_uid: p.merchant_uid,
  vbank_num: "12345678901234",
});
/** Iamport's answer when the shopper closes the window (wording as sandbox/README.md). */
export const shopperCloses: Respond = (p) => ({
  success: false,
  error_code: "F400",
  error_msg: "[결제포기] 사용자가 결제를 취소하셨습니다",
  merchant_uid: p.merchant_uid,
});
export const pgDeclines: Respond = (p) => ({
  success: false,
  error_code: "F500",
  error_msg: "카드 한도가 초과되었습니다",
  imp_uid: `imp_failed_${p.merchant_uid}`,
  merchant_uid: p.merchant_uid,
});
/** The newer `v1/iamport.js` style: no `success`, failure is the presence of `error_code`. */
export const pgDeclinesNewStyle: Respond = (p) => ({
  error_code: "PG_DECLINED",
  error_msg: "잔액이 부족합니다",
  imp_uid: `imp_failed_${p.merchant_uid}`,
  merchant_uid: p.merchant_uid,
});

/** The last `request_pay` param the fake SDK received. */
export function lastRequestPay(): RequestPayParam | undefined {
  const calls = page.impCalls ?? [];
  for (let i = calls.length - 1; i >= 0; i -= 1) {
    const call = calls[i];
    if (call && "param" in call) return call.param;
  }
  return undefined;
}

export async function mount(markup: string): Promise<IamportPayButton> {
  const host = await fixture<HTMLElement>(`<div>${markup}</div>`);
  const button = host.querySelector("iamport-pay-button");
  if (!button) throw new Error("no <iamport-pay-button> in the markup");
  await button.updateComplete;
  return button;
}

/** The inner <button> a shopper clicks. */
export function inner(element: IamportPayButton): HTMLButtonElement {
  const button = element.shadowRoot?.querySelector("button");
  if (!button) throw new Error("no inner <button>");
  return button;
}

export function statusText(element: IamportPayButton): string {
  return element.shadowRoot?.querySelector('[part="status"]')?.textContent?.trim() ?? "";
}

/** Waits for a condition with a bound far above any machine's slowness (the test's own timeout). */
export function until(condition: () => boolean): Promise<void> {
  return waitUntil(condition, "the condition never held", { timeout: 9000, interval: 20 });
}
