import type { CartItem, ConfigResponse } from "@iamport-pay/shared";
import { html, LitElement, type PropertyValues } from "lit";
import { PayFailureEvent, PayStartEvent, PaySuccessEvent, PayVbankIssuedEvent } from "./events.js";
import { loadSdk, requestPay } from "./iamport-sdk.js";
import { readReturn, resolveReturn, withoutReturn } from "./mobile-return.js";
import {
  type Clock,
  type ConfirmDeps,
  confirmPayment,
  type PayResult,
  runPayment,
} from "./pay-flow.js";
import { dropPending, loadPending, savePending } from "./pending-store.js";
import { createServerApi, type ServerApi } from "./server-api.js";
import { type Lang, pickLang, type Strings, strings } from "./strings.js";
import { styles } from "./styles.js";

export type PayState = "idle" | "busy" | "success" | "failure";

// Page-wide, so that of several buttons (or two copies of this script) one handles a return.
const RETURN_CLAIM = Symbol.for("iamport-pay.return");

const clock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    }),
};

/**
 * A payment button for Iamport (PortOne V1) backed by an iamport-pay server.
 *
 * @summary Drop-in Iamport payment button.
 *
 * @fires iamport-pay-start - The server priced the order; Iamport's window is opening. `PayStartDetail`.
 * @fires iamport-pay-success - The server verified the payment as paid. `PaySuccessDetail`.
 * @fires iamport-pay-vbank-issued - A virtual account was issued. `PayVbankIssuedDetail`.
 * @fires iamport-pay-failure - The payment did not go through. `PayFailureDetail` (`code`, `message`).
 *
 * @slot - The button's label (default: "결제하기" / "Pay").
 *
 * @csspart button - The inner `<button>`.
 * @csspart status - The polite live region announcing progress and results.
 *
 * @cssproperty --iamport-pay-color - Button background (default #1e5eff).
 * @cssproperty --iamport-pay-text-color - Button text (default #fff).
 * @cssproperty --iamport-pay-radius - Button corner radius (default 8px).
 * @cssproperty --iamport-pay-font - Font family (default inherited).
 * @cssproperty --iamport-pay-font-size - Button font size (default 1rem).
 * @cssproperty --iamport-pay-padding - Button padding.
 * @cssproperty --iamport-pay-focus-color - Focus ring colour.
 * @cssproperty --iamport-pay-error-color - Status text colour after a failure.
 */
export class IamportPayButton extends LitElement {
  static override styles = styles;
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  // A static table rather than decorators: the decorator helpers cost bytes in every page.
  static override properties = {
    server: {},
    sku: {},
    quantity: { type: Number },
    items: { attribute: false },
    pg: {},
    payMethod: { attribute: "pay-method" },
    buyerName: { attribute: "buyer-name" },
    buyerEmail: { attribute: "buyer-email" },
    buyerTel: { attribute: "buyer-tel" },
    buyerAddr: { attribute: "buyer-addr" },
    buyerPostcode: { attribute: "buyer-postcode" },
    redirect: {},
    lang: {},
    disabled: { type: Boolean, reflect: true },
    impCode: { attribute: "imp-code" },
    sdkUrl: { attribute: "sdk-url" },
    timeout: { type: Number },
    state: { reflect: true },
    message: { state: true },
    waiting: { state: true },
  };

  /** Base URL of the iamport-pay server (required), e.g. `https://shop.example.com/pay`. */
  server = "";
  /** One product to buy (with `quantity`); ignored when `items` is set. */
  sku = "";
  quantity = 1;
  /** A whole cart, for code: `[{ sku, quantity }]`. */
  items: CartItem[] | undefined = undefined;
  /** Iamport's `pg` (`html5_inicis`, or `provider.mid`); default from `/config`. */
  pg = "";
  payMethod = "";
  buyerName = "";
  buyerEmail = "";
  buyerTel = "";
  buyerAddr = "";
  buyerPostcode = "";
  /** `auto`: `m_redirect_url` on mobile browsers; `always`; `never`. */
  redirect: "auto" | "always" | "never" = "auto";
  /** `ko` or `en`; default the document's language. */
  override lang = "";
  disabled = false;
  /** Overrides `/config`'s `impCode`. */
  impCode = "";
  /** Overrides `/config`'s `sdkUrl`. */
  sdkUrl = "";
  /** Give up on a server call after this many milliseconds. */
  timeout = 30_000;
  /** `idle`, `busy`, `success` or `failure`; reflected for page styles. Read-only. */
  state: PayState = "idle";

  private message = "";
  /** Waiting for one more click, because the first click's activation expired. */
  private waiting: (() => void) | undefined;

  #running: Promise<PayResult> | undefined;
  #abort: AbortController | undefined;
  #warned = false;
  #api: { key: string; api: ServerApi } | undefined;
  #prefetchCleanup: (() => void) | undefined;
  #started = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#prefetchCleanup?.();
    this.#started = false;
  }

  protected override willUpdate(): void {
    // Frameworks may set `server` after connecting the element.
    this.#start();
  }

  /**
   * Pays for the cart. One payment at a time: while one runs, this returns it. On a mobile
   * redirect the page navigates away and the promise never settles. After a success the button
   * stays done (disabled) until `reset()`.
   */
  pay(): Promise<PayResult> {
    if (this.#running) return this.#running;
    const problem = this.#problem();
    if (problem) return Promise.reject(new Error(problem));
    if (this.state === "success") {
      return Promise.reject(new Error("<iamport-pay-button> is paid; call reset()"));
    }
    const items = this.#items();
    const lang = this.#lang();
    const t = strings(lang);
    const buyer = Object.fromEntries(
      Object.entries({
        name: this.buyerName,
        email: this.buyerEmail,
        tel: this.buyerTel,
        addr: this.buyerAddr,
        postcode: this.buyerPostcode,
      }).filter(([, value]) => value),
    );
    // Only a payment started by a real click can lose its activation; a script's pay() had none.
    const activation = (navigator as Navigator & { userActivation?: { isActive: boolean } })
      .userActivation;
    const clicked = activation?.isActive === true;
    this.#abort = new AbortController();
    return this.#track(
      runPayment(
        {
          api: this.#serverApi(),
          clock,
          signal: this.#abort.signal,
          loadSdk,
          requestPay,
          onStart: (detail) => this.dispatchEvent(new PayStartEvent(detail)),
          remember: (pending) => savePending({ ...pending, key: this.#key(), at: Date.now() }),
          onConfirming: () => {
            this.message = t.confirming;
            this.#keepFocus();
          },
          activationExpired: () => clicked && !activation?.isActive,
          askToContinue: () =>
            new Promise<void>((resolve) => {
              this.message = t.continue;
              this.waiting = resolve;
            }),
        },
        {
          items,
          buyer,
          pg: this.pg,
          payMethod: this.payMethod,
          impCode: this.impCode,
          sdkUrl: this.sdkUrl,
          lang,
          redirect: this.redirect === "always" || (this.redirect === "auto" && isMobile()),
          redirectFallback: this.redirect === "auto",
          returnUrl: withoutReturn(new URL(location.href)),
          strings: t,
        },
      ),
      t,
    );
  }

  /**
   * Stops confirming an approved payment now, instead of after about 2 minutes: the element ends
   * with `payment_unconfirmed` (the server still settles the order from Iamport's webhook).
   */
  abort(): void {
    this.#abort?.abort();
  }

  /** Back to idle after a result, so the button can take another payment. */
  reset(): void {
    if (this.#running) return;
    this.state = "idle";
    this.message = "";
  }

  /** Sets busy, then shows and fires the result, and forgets the settled payment. */
  #track(run: Promise<PayResult>, t: Strings, confirming = false): Promise<PayResult> {
    this.state = "busy";
    this.message = confirming ? t.confirming : t.busy;
    this.#running = run.then((result) => {
      this.#running = undefined;
      this.waiting = undefined;
      const { detail } = result;
      if (detail.merchant_uid) dropPending(detail.merchant_uid);
      if (result.type === "failure") {
        this.state = "failure";
        this.message = result.detail.message;
        if (result.detail.code === "origin_not_allowed") {
          console.error(
            `<iamport-pay-button>: add ${location.origin} to ALLOWED_ORIGINS of ${this.server}`,
          );
        }
        this.dispatchEvent(new PayFailureEvent(result.detail));
      } else if (result.type === "vbank-issued") {
        const { vbank } = result.detail;
        const due = vbank.due
          ? new Date(vbank.due).toLocaleString(this.#lang(), {
              dateStyle: "medium",
              timeStyle: "short",
            })
          : "";
        this.state = "success";
        this.message = t.vbankIssued(vbank, due);
        this.dispatchEvent(new PayVbankIssuedEvent(result.detail));
      } else {
        this.state = "success";
        this.message = t.success;
        this.dispatchEvent(new PaySuccessEvent(result.detail));
      }
      this.#keepFocus();
      return result;
    });
    return this.#running;
  }

  /** The checkout's window took focus with it: give it back to the button, not to <body>. */
  #keepFocus(): void {
    const active = document.activeElement;
    if (!active || active === document.body) this.focus();
  }

  /**
   * Once connected with a server: report a mobile return this button started, or resume
   * confirming a payment a reload interrupted; else prefetch.
   */
  #start(): void {
    if (this.#started || !this.server || !this.isConnected) return;
    this.#started = true;
    if (!this.#handleReturn() && !this.#resume()) this.#schedulePrefetch();
  }

  /**
   * A mobile redirect brought the shopper back. Only the button that started the payment (its
   * record in sessionStorage) reports it, once; a return this tab did not start fires nothing.
   */
  #handleReturn(): boolean {
    const url = new URL(location.href);
    const params = readReturn(url);
    const page = window as Window & { [RETURN_CLAIM]?: string };
    if (!params || page[RETURN_CLAIM] === params.merchant_uid) return false;
    const pending = loadPending().find((p) => p.merchant_uid === params.merchant_uid);
    if (pending && pending.key !== this.#key()) return false;
    page[RETURN_CLAIM] = params.merchant_uid;
    // Clean the address bar at once: a reload resumes from sessionStorage, not from the URL.
    history.replaceState(history.state, "", withoutReturn(url));
    if (!pending) return false;
    savePending({ ...pending, imp_uid: params.imp_uid ?? pending.imp_uid, approved: true });
    this.#confirm((deps, t) => resolveReturn(deps, params, t));
    // The shopper lands at the top of the page: bring the result into view and to the reader.
    this.updateComplete.then(() => {
      this.scrollIntoView({ block: "center" });
      this.renderRoot.querySelector<HTMLElement>("[part=status]")?.focus({ preventScroll: true });
    });
    return true;
  }

  /** A reload during confirmation: carry on confirming this button's approved payment. */
  #resume(): boolean {
    const pending = loadPending().find((p) => p.approved && p.key === this.#key());
    if (!pending) return false;
    this.#confirm((deps, t) => confirmPayment(deps, t, pending.merchant_uid, pending.imp_uid));
    return true;
  }

  /** Shows "confirming" and runs `run` (abortable) to the result. */
  #confirm(run: (deps: ConfirmDeps, t: Strings) => Promise<PayResult>): void {
    const t = strings(this.#lang());
    this.#abort = new AbortController();
    this.#track(run({ api: this.#serverApi(), clock, signal: this.#abort.signal }, t), t, true);
  }

  /** Which button of the page this is, the same after a reload or a return. */
  #key(): string {
    return this.id
      ? `#${this.id}`
      : `@${[...document.querySelectorAll("iamport-pay-button")].indexOf(this)}`;
  }

  #items(): CartItem[] {
    return this.items ?? (this.sku ? [{ sku: this.sku, quantity: this.quantity }] : []);
  }

  /** Why the button cannot pay (for the console), or "" when it is set up. */
  #problem(): string {
    const problem = this.disabled
      ? "is disabled"
      : !this.server
        ? "needs `server`"
        : this.#items().length
          ? ""
          : "needs `sku` or `items`";
    return problem && `<iamport-pay-button> ${problem}`;
  }

  /** Fetches `/config` and the SDK when the browser is idle or the button comes into view. */
  #schedulePrefetch(): void {
    let done = false;
    const prefetch = () => {
      if (done) return;
      done = true;
      this.#prefetchCleanup?.();
      const api = this.#serverApi();
      const url = this.sdkUrl ? Promise.resolve(this.sdkUrl) : api.config().then((c) => c.sdkUrl);
      // Failures here are reported on click, when the shopper is waiting for them.
      url.then(loadSdk).catch(() => {});
    };
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) prefetch();
    });
    observer.observe(this);
    const idle = window.requestIdleCallback?.(prefetch) ?? setTimeout(prefetch, 1);
    this.#prefetchCleanup = () => {
      observer.disconnect();
      (window.cancelIdleCallback ?? clearTimeout)(idle);
    };
  }

  /** One API client per server, with `/config` asked once and kept (unless it fails). */
  #serverApi(): ServerApi {
    const key = `${this.server}\n${this.timeout}`;
    if (this.#api?.key !== key) {
      const api = createServerApi(this.server, { timeoutMs: this.timeout });
      const fetchConfig = api.config;
      let config: Promise<ConfigResponse> | undefined;
      // Asked once and kept, unless it fails (the next click asks again).
      api.config = () =>
        (config ??= fetchConfig().catch((error) => {
          config = undefined;
          throw error;
        }));
      this.#api = { key, api };
    }
    return this.#api.api;
  }

  #lang(): Lang {
    return pickLang(
      this.lang || this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang,
    );
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // Said once, after the page had its chance to set things up (frameworks set them late).
    if (this.#warned || this.disabled || !this.#problem()) return;
    this.#warned = true;
    const check = () => {
      const problem = this.disabled ? "" : this.#problem();
      if (problem) console.error(problem);
      else this.#warned = false;
    };
    if (document.readyState === "complete") setTimeout(check);
    else addEventListener("load", () => setTimeout(check), { once: true });
  }

  protected override render() {
    const t = strings(this.#lang());
    const busy = this.state === "busy" && !this.waiting;
    const misconfigured = !this.disabled && this.#problem() !== "";
    // Busy and paid buttons stay focusable (aria-disabled), so focus never drops to <body>.
    const inert = busy || this.state === "success";
    // One line on purpose: template whitespace ships in the bundle.
    return html`<button part=button type=button ?disabled=${this.disabled || misconfigured} aria-disabled=${inert} aria-busy=${busy} @click=${this.#onClick}>${this.waiting ? t.continue : html`<slot>${t.pay}</slot>`}</button><div part=status role=status aria-live=polite tabindex=-1>${misconfigured ? t.misconfigured : this.message}</div>`;
  }

  #onClick = () => {
    const resume = this.waiting;
    if (resume) {
      this.waiting = undefined;
      this.message = strings(this.#lang()).busy;
      resume();
      return;
    }
    if (this.state === "busy" || this.state === "success") return;
    this.pay().catch((error: Error) => console.error(error.message));
  };
}

/** Mobile browsers, where most PGs redirect instead of calling back (docs/iamport-notes.md). */
function isMobile(): boolean {
  const hint = (navigator as Navigator & { userAgentData?: { mobile?: boolean } }).userAgentData;
  return hint?.mobile ?? /Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent);
}

// Define once: loading the script twice (or both builds) is harmless. Guarded for SSR, where
// importing the module must not throw.
if (typeof customElements !== "undefined" && !customElements.get("iamport-pay-button")) {
  customElements.define("iamport-pay-button", IamportPayButton);
}

declare global {
  interface HTMLElementTagNameMap {
    "iamport-pay-button": IamportPayButton;
  }
}
