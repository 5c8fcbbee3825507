import type { CartItem, ConfigResponse } from "@iamport-pay/shared";
import { html, LitElement } from "lit";
import { property, state } from "lit/decorators.js";
import { PayFailureEvent, PayStartEvent, PaySuccessEvent, PayVbankIssuedEvent } from "./events.js";
import { loadSdk, requestPay } from "./iamport-sdk.js";
import { readReturn, resolveReturn, withoutReturn } from "./mobile-return.js";
import { type PayResult, runPayment } from "./pay-flow.js";
import { createServerApi, type ServerApi } from "./server-api.js";
import { type Lang, pickLang, strings } from "./strings.js";
import { styles } from "./styles.js";

export type PayState = "idle" | "busy" | "success" | "failure";

// Page-wide, so that of several buttons (or two copies of this script) one handles a return.
const RETURN_CLAIM = Symbol.for("iamport-pay.return");

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

  /** Base URL of the iamport-pay server (required), e.g. `https://shop.example.com/pay`. */
  @property() server = "";
  /** One product to buy (with `quantity`); ignored when `items` is set. */
  @property() sku = "";
  @property({ type: Number }) quantity = 1;
  /** A whole cart, for code: `[{ sku, quantity }]`. */
  @property({ attribute: false }) items: CartItem[] | undefined = undefined;
  /** Iamport's `pg` (`html5_inicis`, or `provider.mid`); default from `/config`. */
  @property() pg = "";
  @property({ attribute: "pay-method" }) payMethod = "";
  @property({ attribute: "buyer-name" }) buyerName = "";
  @property({ attribute: "buyer-email" }) buyerEmail = "";
  @property({ attribute: "buyer-tel" }) buyerTel = "";
  @property({ attribute: "buyer-addr" }) buyerAddr = "";
  @property({ attribute: "buyer-postcode" }) buyerPostcode = "";
  /** `auto`: `m_redirect_url` on mobile browsers; `always`; `never`. */
  @property() redirect: "auto" | "always" | "never" = "auto";
  /** `ko` or `en`; default the document's language. */
  @property() override lang = "";
  @property({ type: Boolean, reflect: true }) disabled = false;
  /** Overrides `/config`'s `impCode`. */
  @property({ attribute: "imp-code" }) impCode = "";
  /** Overrides `/config`'s `sdkUrl`. */
  @property({ attribute: "sdk-url" }) sdkUrl = "";
  /** Give up on a server call after this many milliseconds. */
  @property({ type: Number }) timeout = 30_000;
  /** `idle`, `busy`, `success` or `failure`; reflected for page styles. Read-only. */
  @property({ reflect: true }) state: PayState = "idle";

  @state() private message = "";

  #running: Promise<PayResult> | undefined;
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
   * redirect the page navigates away and the promise never settles.
   */
  pay(): Promise<PayResult> {
    if (this.#running) return this.#running;
    if (this.disabled) return Promise.reject(new Error("<iamport-pay-button> is disabled"));
    if (!this.server) return Promise.reject(new Error("<iamport-pay-button> needs `server`"));
    const items = this.items ?? (this.sku ? [{ sku: this.sku, quantity: this.quantity }] : []);
    if (items.length === 0)
      return Promise.reject(new Error("<iamport-pay-button> needs `sku` or `items`"));

    const lang = this.#lang();
    const buyer = Object.fromEntries(
      Object.entries({
        name: this.buyerName,
        email: this.buyerEmail,
        tel: this.buyerTel,
        addr: this.buyerAddr,
        postcode: this.buyerPostcode,
      }).filter(([, value]) => value),
    );
    const run = this.#track(
      runPayment(
        {
          api: this.#serverApi(),
          loadSdk,
          requestPay,
          onStart: (detail) => this.dispatchEvent(new PayStartEvent(detail)),
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
          returnUrl: withoutReturn(new URL(location.href)),
          strings: strings(lang),
        },
      ),
    );
    return run;
  }

  /** Sets busy, then shows and fires the result. */
  #track(run: Promise<PayResult>, settled?: () => void): Promise<PayResult> {
    const t = strings(this.#lang());
    this.state = "busy";
    this.message = t.busy;
    this.#running = run.then((result) => {
      this.#running = undefined;
      if (result.type === "failure") {
        this.state = "failure";
        this.message = result.detail.message;
        this.dispatchEvent(new PayFailureEvent(result.detail));
      } else if (result.type === "vbank-issued") {
        const { vbank } = result.detail;
        this.state = "success";
        this.message = t.vbankIssued(vbank.bank_name ?? "", vbank.number);
        this.dispatchEvent(new PayVbankIssuedEvent(result.detail));
      } else {
        this.state = "success";
        this.message = t.success;
        this.dispatchEvent(new PaySuccessEvent(result.detail));
      }
      settled?.();
      return result;
    });
    return this.#running;
  }

  /** Once connected with a server: report a mobile return if this is one, else prefetch. */
  #start(): void {
    if (this.#started || !this.server || !this.isConnected) return;
    this.#started = true;
    if (!this.#handleReturn()) this.#schedulePrefetch();
  }

  /** A mobile redirect brought the shopper back: report the verified order, once. */
  #handleReturn(): boolean {
    const params = readReturn(new URL(location.href));
    const page = window as Window & { [RETURN_CLAIM]?: string };
    if (!params || page[RETURN_CLAIM] === params.merchant_uid) return false;
    page[RETURN_CLAIM] = params.merchant_uid;
    const t = strings(this.#lang());
    // Fire, then clean the address bar at once, so a reload does not report the payment again.
    this.#track(resolveReturn(this.#serverApi(), params, t), () =>
      history.replaceState(history.state, "", withoutReturn(new URL(location.href))),
    );
    return true;
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
      api.config = () => {
        config ??= fetchConfig();
        config.catch(() => {
          config = undefined;
        });
        return config;
      };
      this.#api = { key, api };
    }
    return this.#api.api;
  }

  #lang(): Lang {
    return pickLang(
      this.lang || this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang,
    );
  }

  protected override render() {
    const busy = this.state === "busy";
    return html`<button
        part="button"
        type="button"
        ?disabled=${this.disabled || busy}
        aria-busy=${busy ? "true" : "false"}
        @click=${this.#onClick}
      >
        <slot>${strings(this.#lang()).pay}</slot>
      </button>
      <div part="status" role="status" aria-live="polite">${this.message}</div>`;
  }

  #onClick = () => {
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
