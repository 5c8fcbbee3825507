/**
 * The checkout page a shopper (or a test) sees in the overlay or after a redirect: merchant,
 * product and amount, an Amount field and the buttons Approve, Decline, Close and, for virtual
 * accounts, Issue virtual account. Its script posts the choice to `checkout/complete`, then hands
 * the `rsp` to the opener (overlay) or follows the redirect.
 */
import type { CheckoutParam } from "./checkout-param.js";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON inside a <script>: `<` escaped so a value cannot close the tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function renderCheckoutPage(input: {
  impCode: string;
  param: CheckoutParam;
  mode: "iframe" | "redirect";
  nonce: string;
  /** The page's Content-Security-Policy nonce (checkoutCsp), on its one style and one script. */
  cspNonce: string;
}): string {
  const { param } = input;
  const currency = param.currency ?? "KRW";
  let shown: string;
  try {
    shown = new Intl.NumberFormat("ko-KR", { style: "currency", currency }).format(param.amount);
  } catch {
    shown = `${param.amount} ${currency}`;
  }
  const isVbank = param.pay_method === "vbank";
  const config = { param, mode: input.mode, nonce: input.nonce, impCode: input.impCode };
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Iamport sandbox checkout</title>
<style nonce="${input.cspNonce}">
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f4f5f7; color: #111; }
  main { background: #fff; border-radius: 12px; padding: 16px; width: min(360px, 100%); margin: 8px; box-shadow: 0 8px 30px #0002; overflow-wrap: anywhere; }
  h1 { font-size: 1.1rem; margin: 0 0 4px; }
  .sandbox { color: #92400e; font-size: .85rem; margin: 0 0 16px; }
  dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 4px 12px; margin: 0 0 16px; }
  dt { color: #444; } dd { margin: 0; font-weight: 600; }
  label { display: block; margin-bottom: 16px; }
  input { display: block; width: 100%; font: inherit; padding: 6px 8px; margin-top: 4px; }
  .actions { display: grid; gap: 8px; }
  button { font: inherit; padding: 10px; border-radius: 8px; border: 1px solid #767676; background: #fff; color: #111; cursor: pointer; }
  button.primary { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
  button:disabled { opacity: .6; cursor: wait; }
  :focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  #error { color: #b91c1c; min-height: 1.5em; }
</style>
</head>
<body>
<main role="dialog" aria-modal="true" aria-labelledby="title" aria-describedby="notice">
  <h1 id="title">결제하기 · Checkout</h1>
  <p class="sandbox" id="notice">Iamport sandbox: no real money moves.</p>
  <dl>
    <dt>Merchant</dt><dd>${escapeHtml(input.impCode)}</dd>
    <dt>Product</dt><dd>${escapeHtml(param.name ?? "")}</dd>
    <dt>Total</dt><dd>${escapeHtml(shown)}</dd>
    <dt>Method</dt><dd>${escapeHtml(param.pay_method ?? "card")} · ${escapeHtml(param.pg ?? "")}</dd>
  </dl>
  <label>Amount <input id="amount" name="amount" type="number" inputmode="decimal" min="0" step="any" value="${escapeHtml(String(param.amount))}"></label>
  <div class="actions">
    ${isVbank ? '<button type="button" class="primary" data-action="vbank">Issue virtual account</button>' : ""}
    <button type="button" class="${isVbank ? "" : "primary"}" data-action="approve">Approve</button>
    <button type="button" data-action="decline">Decline</button>
    <button type="button" data-action="close">Close</button>
  </div>
  <p role="alert" id="error"></p>
</main>
<script nonce="${input.cspNonce}">
(function () {
  var config = ${scriptJson(config)};
  var buttons = document.querySelectorAll("button[data-action]");
  var error = document.getElementById("error");
  var done = false;
  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }
  function deliver(body) {
    done = true;
    if (body.redirect) { window.location.href = body.redirect; return; }
    window.parent.postMessage({ type: "iamport-sandbox:rsp", nonce: config.nonce, rsp: body.rsp }, "*");
  }
  // Closing must work even when the sandbox cannot be reached: the shopper is told, and a close
  // then answers from here, as a cancel without a recorded payment.
  function closeOffline() {
    var failure = { error_code: "F400", error_msg: "사용자가 결제를 취소하셨습니다" };
    var rsp = { success: false, imp_uid: null, merchant_uid: config.param.merchant_uid, error_code: failure.error_code, error_msg: failure.error_msg };
    var redirect = null;
    if (config.mode === "redirect" && config.param.m_redirect_url) {
      var url = new URL(config.param.m_redirect_url);
      url.searchParams.set("merchant_uid", config.param.merchant_uid);
      url.searchParams.set("error_code", failure.error_code);
      url.searchParams.set("error_msg", failure.error_msg);
      redirect = url.toString();
    }
    deliver({ rsp: rsp, redirect: redirect });
  }
  function act(action) {
    if (done) return;
    setBusy(true);
    error.textContent = "";
    fetch("./checkout/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        param: config.param,
        mode: config.mode,
        action: action,
        amount: Number(document.getElementById("amount").value),
      }),
    })
      .then(
        function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.message || "checkout failed");
            deliver(body);
          });
        },
        function () {
          if (action === "close") { closeOffline(); return; }
          error.textContent = "The payment server cannot be reached. Try again, or close this window.";
          setBusy(false);
          document.querySelector('button[data-action="close"]').focus();
        },
      )
      .catch(function (failure) {
        error.textContent = String(failure.message || failure);
        setBusy(false);
      });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { act(button.dataset.action); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); act("close"); }
  });
  // The SDK forwards Escape pressed outside the frame.
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "iamport-sandbox:close" && event.data.nonce === config.nonce) act("close");
  });
  (document.querySelector("button.primary") || buttons[0]).focus();
})();
</script>
</body>
</html>`;
}

/**
 * The checkout page's policy: its own nonce'd style and script only, requests to its own origin
 * (`checkout/complete`), no plugins, forms or base changes. Any shop may frame it, as Iamport's
 * checkout is framed by any merchant page.
 */
export function checkoutCsp(cspNonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${cspNonce}'`,
    `script-src 'nonce-${cspNonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors *",
  ].join("; ");
}
