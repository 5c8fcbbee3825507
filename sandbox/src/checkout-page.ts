/**
 * The checkout page a shopper (or a test) sees in the overlay or after a redirect: merchant,
 * product and amount, an Amount field and the buttons Approve, Decline, Close and, for virtual
 * accounts, Issue virtual account. Its script posts the choice to `checkout/complete`, then hands
 * the `rsp` to the opener (overlay) or follows the redirect.
 */
import type { RequestPayParam } from "@iamport-pay/shared";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON inside a <script>: `<` escaped so a value cannot close the tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function renderCheckoutPage(input: {
  impCode: string;
  param: RequestPayParam;
  mode: "iframe" | "redirect";
  nonce: string;
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
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f4f5f7; }
  main { background: #fff; border-radius: 12px; padding: 24px; width: min(360px, 92vw); box-shadow: 0 8px 30px #0002; }
  h1 { font-size: 1.1rem; margin: 0 0 4px; }
  .sandbox { color: #b45309; font-size: .8rem; margin: 0 0 16px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0 0 16px; }
  dt { color: #555; } dd { margin: 0; font-weight: 600; }
  label { display: block; margin-bottom: 16px; }
  input { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: 6px 8px; margin-top: 4px; }
  .actions { display: grid; gap: 8px; }
  button { font: inherit; padding: 10px; border-radius: 8px; border: 1px solid #ccc; background: #fff; cursor: pointer; }
  button.primary { background: #2563eb; color: #fff; border-color: #2563eb; }
  button:disabled { opacity: .5; cursor: wait; }
  [role=alert] { color: #b91c1c; }
</style>
</head>
<body>
<main>
  <h1>결제하기 · Checkout</h1>
  <p class="sandbox">Iamport sandbox: no real money moves.</p>
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
<script>
(function () {
  var config = ${scriptJson(config)};
  var buttons = document.querySelectorAll("button[data-action]");
  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      setBusy(true);
      fetch("./checkout/complete", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          param: config.param,
          mode: config.mode,
          action: button.dataset.action,
          amount: Number(document.getElementById("amount").value),
        }),
      })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) throw new Error(answer.body.message || "checkout failed");
          if (answer.body.redirect) { window.location.href = answer.body.redirect; return; }
          window.parent.postMessage({ type: "iamport-sandbox:rsp", nonce: config.nonce, rsp: answer.body.rsp }, "*");
        })
        .catch(function (error) {
          document.getElementById("error").textContent = String(error.message || error);
          setBusy(false);
        });
    });
  });
})();
</script>
</body>
</html>`;
}
