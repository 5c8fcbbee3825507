/*
 * The sandbox's stand-in for Iamport's browser SDK (iamport.payment.js / v1/iamport.js).
 * Defines window.IMP with init(code) and request_pay(param, callback). The checkout page opens
 * in an overlay iframe, or replaces the page when param.m_redirect_url is set. The sandbox's base
 * URL is where this script was loaded from, so it works under any mount prefix.
 * Plain browser JavaScript on purpose: no build step, any page can load it.
 */
(() => {
  const script = document.currentScript;
  const base = script?.src ? script.src.replace(/\/(v1\/)?[^/]*$/, "") : "";
  let impCode = null;
  let open = null;

  // UNCONFIRMED wording; the real SDK also reports these through the callback, not by throwing.
  const SDK_ERROR = "F000";

  function respond(callback, rsp) {
    setTimeout(() => {
      callback(rsp);
    }, 0);
  }

  function validate(param) {
    if (!impCode) return "IMP.init(가맹점 식별코드)를 먼저 호출해주세요. (IMP.init was not called)";
    if (!param || typeof param !== "object") return "결제 파라미터가 없습니다. (param is required)";
    if (typeof param.amount !== "number" || !(param.amount > 0)) {
      return "결제금액(amount)이 올바르지 않습니다. (amount must be a positive number)";
    }
    // UNCONFIRMED: the real SDK may generate a merchant_uid; every flow here creates the order first.
    if (typeof param.merchant_uid !== "string" || param.merchant_uid === "") {
      return "주문번호(merchant_uid)가 필요합니다. (merchant_uid is required)";
    }
    if (open) return "결제가 이미 진행중입니다. (a payment window is already open)";
    return null;
  }

  function checkoutUrl(param, mode, nonce) {
    const query = new URLSearchParams({
      imp_code: impCode,
      mode: mode,
      nonce: nonce,
      param: JSON.stringify(param),
    });
    return `${base}/checkout?${query.toString()}`;
  }

  function openOverlay(param, callback) {
    const nonce = Math.random().toString(36).slice(2);
    // Focus goes back where it was when the window closes.
    const opener = document.activeElement;
    const overlay = document.createElement("div");
    overlay.setAttribute("data-iamport-sandbox", "");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "Iamport sandbox checkout");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center";
    const frame = document.createElement("iframe");
    frame.title = "Iamport sandbox checkout";
    frame.src = checkoutUrl(param, "iframe", nonce);
    frame.style.cssText =
      "width:min(420px,100vw);height:min(560px,100vh);max-width:100%;border:0;border-radius:12px;background:#fff";
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    frame.addEventListener("load", () => frame.focus());
    frame.focus();
    const origin = new URL(base, location.href).origin;

    function onKey(event) {
      // Escape pressed on the shop's page while the window is open closes it, as inside it.
      if (event.key !== "Escape") return;
      event.preventDefault();
      frame.contentWindow?.postMessage({ type: "iamport-sandbox:close", nonce: nonce }, origin);
    }

    function onMessage(event) {
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      const data = event.data;
      if (data?.type !== "iamport-sandbox:rsp" || data.nonce !== nonce) return;
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey, true);
      overlay.remove();
      open = null;
      if (opener && typeof opener.focus === "function" && opener !== document.body) opener.focus();
      callback(data.rsp);
    }
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKey, true);
    open = overlay;
  }

  function request_pay(param, callback) {
    if (typeof callback !== "function") {
      // Newer v1 SDKs return a promise when no callback is given.
      return new Promise((resolve) => {
        request_pay(param, resolve);
      });
    }
    const problem = validate(param);
    if (problem) {
      respond(callback, {
        success: false,
        error_code: SDK_ERROR,
        error_msg: problem,
        imp_uid: null,
        merchant_uid: param && typeof param.merchant_uid === "string" ? param.merchant_uid : "",
      });
      return undefined;
    }
    if (param.m_redirect_url) {
      // Redirect PGs replace the page; the callback never runs (docs/iamport-notes.md, "The payment flow").
      window.location.href = checkoutUrl(param, "redirect", "");
      return undefined;
    }
    openOverlay(param, callback);
    return undefined;
  }

  window.IMP = {
    init: (code) => {
      impCode = typeof code === "string" && code !== "" ? code : null;
    },
    request_pay: request_pay,
  };
})();
