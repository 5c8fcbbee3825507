/** Browser-test helpers: load the SDK, find controls by accessible name, wait for a condition. */

interface Imp {
  init(code: string): void;
  request_pay(
    param: Record<string, unknown>,
    callback?: (rsp: Rsp) => void,
  ): Promise<Rsp> | undefined;
}
export interface Rsp {
  success?: boolean;
  error_code?: string | null;
  error_msg?: string | null;
  imp_uid?: string | null;
  merchant_uid: string;
  paid_amount?: number;
  status?: string;
  vbank_num?: string;
  [key: string]: unknown;
}
declare global {
  interface Window {
    IMP?: Imp;
  }
}

export async function loadSdk(): Promise<Imp> {
  if (!window.IMP) {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/sandbox/iamport.payment.js";
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("SDK did not load"));
      document.head.append(script);
    });
  }
  return window.IMP!;
}

export async function waitFor<T>(
  find: () => T | null | undefined | Promise<T | null | undefined>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** A button whose accessible name (its text) is `name`. */
export function button(doc: Document, name: string): HTMLButtonElement | null {
  return (
    [...doc.querySelectorAll("button")].find(
      (b) => (b.getAttribute("aria-label") ?? b.textContent ?? "").trim() === name,
    ) ?? null
  );
}

/** The form control labelled `name` (by a wrapping or `for` label). */
export function labelled(doc: Document, name: string): HTMLInputElement | null {
  for (const label of doc.querySelectorAll("label")) {
    if (label.textContent?.trim().startsWith(name)) {
      return (label.control as HTMLInputElement | null) ?? null;
    }
  }
  return null;
}

/** The checkout overlay's document, once its buttons are there. */
export async function checkoutDocument(): Promise<Document> {
  const frame = await waitFor(
    () => document.querySelector<HTMLIFrameElement>("iframe[title='Iamport sandbox checkout']"),
    "the checkout overlay",
  );
  return waitFor(() => {
    const doc = frame.contentDocument;
    // Parsed, so its script (after the buttons) has attached their handlers.
    return doc && doc.readyState !== "loading" && button(doc, "Close") ? doc : null;
  }, "the checkout page");
}

export async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`/sandbox/control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

export async function restToken(): Promise<string> {
  const response = await fetch("/sandbox/users/getToken", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ imp_key: "sandbox_key", imp_secret: "sandbox_secret" }),
  });
  const body = (await response.json()) as { response: { access_token: string } };
  return body.response.access_token;
}
