/**
 * Iamport's browser SDK: injected once per page and URL however many buttons there are, and
 * `request_pay` as a promise.
 */
import type { RequestPayParam, RequestPayResponse } from "@iamport-pay/shared";

export interface Iamport {
  init(impCode: string): void;
  request_pay(param: RequestPayParam, callback: (rsp: RequestPayResponse) => void): void;
}

// Kept on `window` (not in this module) so the ES module and IIFE builds, both loaded on one
// page, still inject each SDK script once.
const CACHE = Symbol.for("iamport-pay.sdk");
type SdkWindow = Window & { IMP?: Iamport; [CACHE]?: Map<string, Promise<Iamport>> };

/** Loads the SDK at `url` (once per page) and resolves with `window.IMP`. */
export function loadSdk(url: string): Promise<Iamport> {
  const win = window as SdkWindow;
  win[CACHE] ??= new Map();
  const cache = win[CACHE];
  const src = new URL(url, document.baseURI).href;
  let loading = cache.get(src);
  if (!loading) {
    loading = inject(win, src);
    // A failed load may succeed later (flaky network): forget it so the next click retries.
    loading.catch(() => cache.delete(src));
    cache.set(src, loading);
  }
  return loading;
}

function inject(win: SdkWindow, src: string): Promise<Iamport> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => {
      if (win.IMP && typeof win.IMP.request_pay === "function") resolve(win.IMP);
      else reject(new Error(`${src}: no window.IMP`));
    };
    script.onerror = () => {
      script.remove();
      reject(new Error(`${src}: not loaded`));
    };
    document.head.append(script);
  });
}

/**
 * `IMP.init` then `IMP.request_pay`, resolved with the callback's `rsp`. On a mobile redirect
 * the page navigates away and this never settles, which is fine: the return handles it.
 */
export function requestPay(
  imp: Iamport,
  impCode: string,
  param: RequestPayParam,
): Promise<RequestPayResponse> {
  return new Promise((resolve) => {
    imp.init(impCode);
    imp.request_pay(param, resolve);
  });
}
