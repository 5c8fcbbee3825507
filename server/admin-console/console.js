// @ts-check
/**
 * The staff console: a page over the admin API (/admin), no framework, no build. The token is
 * kept in sessionStorage only (gone when the tab closes, never in a cookie, so no other site
 * can make the browser use it). Everything shown is set as text, never parsed as HTML.
 */

const TOKEN_KEY = "iamport-pay-admin-token";
const LANG_KEY = "iamport-pay-admin-lang";
const STATUSES = ["pending", "ready", "paid", "failed", "cancelled", "forged", "expired"];

/** @typedef {Record<string, string>} Strings */
/** @type {Record<"ko" | "en", Strings>} */
const strings = {
  ko: {
    title: "주문 관리",
    nav: "콘솔",
    navOrders: "주문",
    navRefundsRequired: "환불 필요",
    language: "언어",
    signOut: "로그아웃",
    signInTitle: "관리자 로그인",
    signInHelp: "ADMIN_TOKEN을 입력하세요. 이 탭을 닫으면 잊습니다.",
    token: "관리자 토큰",
    signIn: "로그인",
    badToken: "토큰이 맞지 않습니다.",
    expired: "다시 로그인하세요.",
    ordersTitle: "주문",
    search: "검색",
    searchHelp: "주문번호·구매자 이름·이메일의 앞부분, imp_uid, 전화번호 끝자리",
    status: "상태",
    allStatuses: "전체",
    createdFrom: "시작일",
    createdTo: "종료일",
    searchButton: "검색",
    colOrder: "주문",
    colStatus: "상태",
    colAmount: "금액",
    colBuyer: "구매자",
    colCreated: "주문일시",
    colRefunded: "환불",
    colMethod: "수단",
    colKind: "종류",
    colRefundable: "환불할 금액",
    colAction: "작업",
    more: "더 보기",
    loading: "불러오는 중…",
    found: "{n}건",
    none: "주문이 없습니다.",
    back: "← 주문 목록",
    sync: "Iamport와 동기화",
    synced: "동기화했습니다.",
    refundTitle: "환불",
    refundAmount: "환불 금액",
    refundAmountHelp: "비우면 남은 금액 전부 ({max}). 환불 가능: {max}",
    refundReason: "사유",
    refundAccount: "환불 받을 계좌 (가상계좌 결제)",
    refundHolder: "예금주",
    refundBank: "은행 코드",
    refundBankHelp: "예: 004 (KB국민은행)",
    refundNumber: "계좌번호",
    refundSubmit: "환불하기…",
    refundTargetOrder: "이 주문의 결제를 환불합니다.",
    refundTargetPayment: "결제 {imp} 를 환불합니다 (위조·중복 결제).",
    nothingRefundable: "환불할 금액이 없습니다.",
    needReason: "사유를 입력하세요.",
    badAmount: "금액은 0보다 크고 {max} 이하여야 합니다.",
    needAccount: "가상계좌 환불에는 예금주, 은행 코드, 계좌번호가 필요합니다.",
    confirmTitle: "환불 확인",
    confirmText: "주문 {order}의 {amount}을(를) 환불합니다. 되돌릴 수 없습니다.",
    confirmOk: "{amount} 환불",
    cancel: "취소",
    refunded: "{amount}을(를) 환불했습니다.",
    paymentsTitle: "결제 내역",
    timelineTitle: "처리 기록",
    rrTitle: "환불이 필요한 결제",
    rrHelp: "위조되었거나 중복된 결제로, 자동으로 환불하지 못한 돈입니다.",
    rrNone: "환불이 필요한 결제가 없습니다.",
    rrRefund: "환불",
    kindForged: "위조",
    kindDuplicate: "중복",
    summaryStatus: "상태",
    summaryAmount: "금액",
    summaryRefunded: "환불됨",
    summaryRefundable: "환불 가능",
    summaryMethod: "결제 수단",
    summaryPg: "PG",
    summaryImp: "imp_uid",
    summaryBuyer: "구매자",
    summaryCreated: "주문일시",
    summaryPaid: "결제일시",
    summaryVbank: "가상계좌",
    error: "오류: {message}",
    network: "서버에 연결할 수 없습니다. 다시 시도하세요.",
    "status.pending": "결제 대기",
    "status.ready": "입금 대기",
    "status.paid": "결제 완료",
    "status.failed": "실패",
    "status.cancelled": "취소됨",
    "status.forged": "위조",
    "status.expired": "기한 만료",
  },
  en: {
    title: "Orders console",
    nav: "Console",
    navOrders: "Orders",
    navRefundsRequired: "Refunds required",
    language: "Language",
    signOut: "Sign out",
    signInTitle: "Admin sign-in",
    signInHelp: "Enter the ADMIN_TOKEN. It is forgotten when this tab closes.",
    token: "Admin token",
    signIn: "Sign in",
    badToken: "That token is not valid.",
    expired: "Please sign in again.",
    ordersTitle: "Orders",
    search: "Search",
    searchHelp:
      "Start of an order id, buyer name or email; an imp_uid; a phone number's last digits",
    status: "Status",
    allStatuses: "All",
    createdFrom: "From",
    createdTo: "To",
    searchButton: "Search",
    colOrder: "Order",
    colStatus: "Status",
    colAmount: "Amount",
    colBuyer: "Buyer",
    colCreated: "Created",
    colRefunded: "Refunded",
    colMethod: "Method",
    colKind: "Kind",
    colRefundable: "To refund",
    colAction: "Action",
    more: "Load more",
    loading: "Loading…",
    found: "{n} orders",
    none: "No orders.",
    back: "← Orders",
    sync: "Sync with Iamport",
    synced: "Synced.",
    refundTitle: "Refund",
    refundAmount: "Amount to refund",
    refundAmountHelp: "Empty refunds everything left ({max}). Refundable: {max}",
    refundReason: "Reason",
    refundAccount: "Shopper's bank account (virtual-account payment)",
    refundHolder: "Account holder",
    refundBank: "Bank code",
    refundBankHelp: "e.g. 004 (KB Kookmin Bank)",
    refundNumber: "Account number",
    refundSubmit: "Refund…",
    refundTargetOrder: "Refunds this order's payment.",
    refundTargetPayment: "Refunds payment {imp} (forged or duplicate).",
    nothingRefundable: "Nothing left to refund.",
    needReason: "Enter a reason.",
    badAmount: "The amount must be above 0 and at most {max}.",
    needAccount: "A virtual-account refund needs the holder, bank code and account number.",
    confirmTitle: "Confirm refund",
    confirmText: "Refund {amount} of order {order}? This cannot be undone.",
    confirmOk: "Refund {amount}",
    cancel: "Cancel",
    refunded: "Refunded {amount}.",
    paymentsTitle: "Payments",
    timelineTitle: "Timeline",
    rrTitle: "Refunds required",
    rrHelp: "Forged or duplicate payments whose money could not be returned automatically.",
    rrNone: "No refunds required.",
    rrRefund: "Refund",
    kindForged: "Forged",
    kindDuplicate: "Duplicate",
    summaryStatus: "Status",
    summaryAmount: "Amount",
    summaryRefunded: "Refunded",
    summaryRefundable: "Refundable",
    summaryMethod: "Method",
    summaryPg: "PG",
    summaryImp: "imp_uid",
    summaryBuyer: "Buyer",
    summaryCreated: "Created",
    summaryPaid: "Paid",
    summaryVbank: "Virtual account",
    error: "Error: {message}",
    network: "The server cannot be reached. Try again.",
    "status.pending": "Pending",
    "status.ready": "Awaiting deposit",
    "status.paid": "Paid",
    "status.failed": "Failed",
    "status.cancelled": "Cancelled",
    "status.forged": "Forged",
    "status.expired": "Expired",
  },
};

/** @type {"ko" | "en"} */
let lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "ko";

/**
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 */
function t(key, values = {}) {
  const text = strings[lang][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {string} id
 * @param {K} [_tag]
 * @returns {HTMLElementTagNameMap[K]}
 */
function $(id, _tag) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing`);
  return /** @type {HTMLElementTagNameMap[K]} */ (element);
}

/**
 * Builds an element; children are text or elements, never HTML.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 */
function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  for (const child of children) if (child != null) element.append(child);
  return element;
}

// ---- money: the API speaks integers in minor units -------------------------------------------

/** @param {string} currency */
function exponentOf(currency) {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 0
    );
  } catch {
    return 0;
  }
}

/**
 * @param {number | null | undefined} minor
 * @param {string} currency
 */
function money(minor, currency) {
  if (minor == null) return "—";
  const exponent = exponentOf(currency);
  try {
    return new Intl.NumberFormat(lang === "ko" ? "ko-KR" : "en-US", {
      style: "currency",
      currency,
    }).format(minor / 10 ** exponent);
  } catch {
    return `${minor} ${currency}`;
  }
}

/**
 * A typed amount ("10,000", "12.50") to minor units, or null.
 * @param {string} text
 * @param {string} currency
 */
function parseMoney(text, currency) {
  const cleaned = text.replace(/[,\s₩$€¥]/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  const exponent = exponentOf(currency);
  const [whole = "0", fraction = ""] = cleaned.split(".");
  if (fraction.length > exponent) return null;
  return Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
}

/** @param {string | null | undefined} iso */
function when(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

// ---- the API --------------------------------------------------------------------------------

class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} method
 * @param {string} path relative to /admin/
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 */
async function api(method, path, body, headers = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? "";
  let response;
  try {
    response = await fetch(new URL(path, location.href), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "network", t("network"));
  }
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(t("expired"));
    throw new ApiError(401, "unauthorized", t("expired"));
  }
  if (!response.ok) {
    throw new ApiError(response.status, json.code ?? "error", json.message ?? response.statusText);
  }
  return json;
}

// ---- views ----------------------------------------------------------------------------------

const sections = ["sign-in", "orders", "order", "refunds-required"];

/** @param {string} id */
function show(id) {
  for (const section of sections) $(section).hidden = section !== id;
  const signedIn = id !== "sign-in";
  $("nav").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  for (const link of $("nav").querySelectorAll("a")) {
    const current = link.getAttribute("href") === `#/${id === "order" ? "orders" : id}`;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // Move focus to the new view's heading, as a page load would.
  const heading = $(id).querySelector("h1");
  if (heading instanceof HTMLElement) heading.focus();
}

/** @param {string} [message] */
function showSignIn(message = "") {
  show("sign-in");
  $("sign-in-error").textContent = message;
  $("token", "input").focus();
}

/** @param {string} status */
function statusBadge(status) {
  return h("span", { class: "badge" }, t(`status.${status}`));
}

function applyStrings() {
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.getAttribute("data-i18n") ?? "");
  }
  for (const element of document.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.getAttribute("data-i18n-label") ?? ""));
  }
  const select = $("status", "select");
  const chosen = select.value;
  select.replaceChildren(
    h("option", { value: "" }, t("allStatuses")),
    ...STATUSES.map((s) => h("option", { value: s }, t(`status.${s}`))),
  );
  select.value = chosen;
  $("lang", "select").value = lang;
}

/**
 * Gives every cell its column's name, shown before it when narrow screens stack the table.
 * @param {string} tableId
 */
function labelCells(tableId) {
  const table = $(tableId, "table");
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (names[i]) cell.setAttribute("data-label", names[i]);
    });
  }
}

// ---- orders list ----------------------------------------------------------------------------

/** @type {string | null} */
let nextCursor = null;

function listQuery() {
  const form = new FormData($("search", "form"));
  const params = new URLSearchParams();
  for (const [key, value] of form)
    if (typeof value === "string" && value.trim()) params.set(key, value.trim());
  params.set("limit", "20");
  return params;
}

/** @param {boolean} append */
async function loadOrders(append) {
  const status = $("orders-status");
  const tbody = $("orders-table").querySelector("tbody");
  if (!tbody) return;
  const params = listQuery();
  if (append && nextCursor) params.set("cursor", nextCursor);
  status.textContent = t("loading");
  try {
    const page = await api("GET", `orders?${params}`);
    if (!append) tbody.replaceChildren();
    for (const order of page.orders) {
      const link = h(
        "a",
        { href: `#/orders/${encodeURIComponent(order.merchant_uid)}` },
        order.name,
      );
      tbody.append(
        h(
          "tr",
          {},
          h("td", {}, link, h("span", { class: "sub" }, order.merchant_uid)),
          h("td", {}, statusBadge(order.status)),
          h(
            "td",
            { class: "num" },
            money(order.amount, order.currency),
            order.cancel_amount > 0
              ? h("span", { class: "sub" }, `−${money(order.cancel_amount, order.currency)}`)
              : null,
          ),
          h(
            "td",
            {},
            order.buyer.name ?? "",
            h("span", { class: "sub" }, order.buyer.email ?? order.buyer.tel ?? ""),
          ),
          h("td", {}, when(order.created_at)),
        ),
      );
    }
    labelCells("orders-table");
    nextCursor = page.next_cursor;
    $("more").hidden = nextCursor === null;
    const count = tbody.children.length;
    status.textContent = count === 0 ? t("none") : t("found", { n: count });
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401)
      status.textContent = t("error", { message: error.message });
  }
}

// ---- one order ------------------------------------------------------------------------------

/** @type {any} */
let current = null;
/** The payment a refund targets: undefined = the order's own. @type {string | undefined} */
let refundImpUid;
/** Reused when the same refund is retried after a failure, so it cannot happen twice. */
let pendingRefund = { fingerprint: "", key: "" };

/**
 * @param {string} merchantUid
 * @param {string} [impUid]
 */
async function openOrder(merchantUid, impUid) {
  show("order");
  $("order-title").textContent = merchantUid;
  $("order-status").textContent = t("loading");
  $("refund-error").textContent = "";
  refundImpUid = impUid;
  try {
    current = await api("GET", `orders/${encodeURIComponent(merchantUid)}`);
    renderOrder();
    $("order-status").textContent = "";
    $("order-title").focus();
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401)
      $("order-status").textContent = t("error", { message: error.message });
  }
}

function refundTarget() {
  const { order, payments } = current;
  if (refundImpUid && refundImpUid !== order.imp_uid) {
    const payment = payments.find((/** @type {any} */ p) => p.imp_uid === refundImpUid);
    return {
      impUid: refundImpUid,
      currency: payment?.currency ?? order.currency,
      max:
        payment && payment.status === "paid"
          ? (payment.amount ?? 0) - (payment.cancel_amount ?? 0)
          : 0,
      vbank: payment?.pay_method === "vbank",
    };
  }
  if (order.status === "forged" && order.imp_uid) {
    const payment = payments.find((/** @type {any} */ p) => p.imp_uid === order.imp_uid);
    return {
      impUid: order.imp_uid,
      currency: order.currency,
      max:
        payment && payment.status === "paid"
          ? (payment.amount ?? 0) - (payment.cancel_amount ?? 0)
          : 0,
      vbank: payment?.pay_method === "vbank",
    };
  }
  return {
    impUid: undefined,
    currency: order.currency,
    max: order.refundable_amount,
    vbank: order.pay_method === "vbank",
  };
}

function renderOrder() {
  const { order, payments, events } = current;
  $("order-title").textContent = order.name;
  /** @type {[string, Node | string][]} */
  const rows = [
    ["summaryStatus", statusBadge(order.status)],
    ["colOrder", order.merchant_uid],
    ["summaryAmount", money(order.amount, order.currency)],
    ["summaryRefunded", money(order.cancel_amount, order.currency)],
    ["summaryRefundable", money(order.refundable_amount, order.currency)],
    ["summaryMethod", order.pay_method ?? "—"],
    ["summaryPg", order.pg ?? "—"],
    ["summaryImp", order.imp_uid ?? "—"],
    [
      "summaryBuyer",
      [order.buyer.name, order.buyer.email, order.buyer.tel].filter(Boolean).join(" · ") || "—",
    ],
    ["summaryCreated", when(order.created_at)],
    ["summaryPaid", when(order.paid_at)],
  ];
  if (order.vbank)
    rows.push([
      "summaryVbank",
      `${order.vbank.bank_name ?? ""} ${order.vbank.number} (${when(order.vbank.due)})`,
    ]);
  $("order-summary").replaceChildren(
    ...rows.flatMap(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)]),
  );

  const target = refundTarget();
  $("refund-target").textContent = target.impUid
    ? t("refundTargetPayment", { imp: target.impUid })
    : t("refundTargetOrder");
  $("refund-amount-help").textContent = t("refundAmountHelp", {
    max: money(target.max, target.currency),
  });
  $("refund-account").hidden = !target.vbank;
  $("refund-submit", "button").disabled = target.max <= 0;
  if (target.max <= 0) $("refund-error").textContent = t("nothingRefundable");

  const paymentRows = payments.map((/** @type {any} */ p) =>
    h(
      "tr",
      {},
      h("td", {}, p.imp_uid, p.is_order_payment ? null : h("span", { class: "sub" }, "≠ order")),
      h("td", {}, p.status),
      h("td", { class: "num" }, money(p.amount, p.currency)),
      h("td", { class: "num" }, money(p.cancel_amount, p.currency)),
      h("td", {}, [p.pay_method, p.pg_provider].filter(Boolean).join(" / ")),
    ),
  );
  $("payments-table")
    .querySelector("tbody")
    ?.replaceChildren(...paymentRows);
  $("timeline").replaceChildren(
    ...events.map((/** @type {any} */ e) =>
      h(
        "li",
        {},
        h("time", { datetime: e.created_at }, when(e.created_at)),
        ` · ${e.source} · ${e.decision}`,
        e.iamport_status ? ` (${e.iamport_status})` : "",
        e.detail ? h("span", { class: "sub" }, e.detail) : null,
      ),
    ),
  );
}

/** @param {string} message */
function refundError(message) {
  $("refund-error").textContent = message;
}

/** @param {SubmitEvent} event */
async function onRefundSubmit(event) {
  event.preventDefault();
  if (!current) return;
  const target = refundTarget();
  const form = new FormData($("refund-form", "form"));
  const text = (/** @type {string} */ name) => String(form.get(name) ?? "").trim();
  const reason = text("reason");
  const amountText = text("amount");
  const amount = amountText === "" ? target.max : parseMoney(amountText, target.currency);
  if (!reason) return refundError(t("needReason"));
  if (amount === null || amount <= 0 || amount > target.max) {
    return refundError(t("badAmount", { max: money(target.max, target.currency) }));
  }
  /** @type {Record<string, unknown>} */
  const body = { reason };
  if (amountText !== "") body.amount = amount;
  if (target.impUid) body.imp_uid = target.impUid;
  if (target.vbank) {
    const account = {
      refund_holder: text("refund_holder"),
      refund_bank: text("refund_bank"),
      refund_account: text("refund_account"),
    };
    if (Object.values(account).some((v) => v === "")) return refundError(t("needAccount"));
    Object.assign(body, account);
  }
  refundError("");

  const shown = money(amount, target.currency);
  $("confirm-text").textContent = t("confirmText", {
    amount: shown,
    order: current.order.merchant_uid,
  });
  $("confirm-ok").textContent = t("confirmOk", { amount: shown });
  const dialog = $("confirm", "dialog");
  dialog.returnValue = "";
  dialog.showModal();
  const choice = await new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true }),
  );
  if (choice !== "ok") return;

  const fingerprint = JSON.stringify([current.order.merchant_uid, body]);
  if (pendingRefund.fingerprint !== fingerprint)
    pendingRefund = { fingerprint, key: crypto.randomUUID() };
  const submit = $("refund-submit", "button");
  submit.disabled = true;
  $("order-status").textContent = t("loading");
  try {
    await api("POST", `orders/${encodeURIComponent(current.order.merchant_uid)}/refund`, body, {
      "idempotency-key": pendingRefund.key,
    });
    pendingRefund = { fingerprint: "", key: "" };
    $("refund-form", "form").reset();
    current = await api("GET", `orders/${encodeURIComponent(current.order.merchant_uid)}`);
    renderOrder();
    $("order-status").textContent = t("refunded", { amount: shown });
  } catch (error) {
    $("order-status").textContent = "";
    // Refused answers are final for this request: a new attempt gets a new key.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500)
      pendingRefund = { fingerprint: "", key: "" };
    if (error instanceof ApiError && error.status !== 401)
      refundError(t("error", { message: error.message }));
  } finally {
    submit.disabled = refundTarget().max <= 0;
  }
}

async function onSync() {
  if (!current) return;
  const button = $("sync", "button");
  button.disabled = true;
  $("order-status").textContent = t("loading");
  try {
    await api("POST", `orders/${encodeURIComponent(current.order.merchant_uid)}/sync`);
    current = await api("GET", `orders/${encodeURIComponent(current.order.merchant_uid)}`);
    renderOrder();
    $("order-status").textContent = t("synced");
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401)
      $("order-status").textContent = t("error", { message: error.message });
  } finally {
    button.disabled = false;
  }
}

// ---- refunds required -----------------------------------------------------------------------

async function loadRefundsRequired() {
  show("refunds-required");
  const status = $("rr-status");
  status.textContent = t("loading");
  try {
    const { refunds_required: list } = await api("GET", "refunds-required");
    $("rr-table")
      .querySelector("tbody")
      ?.replaceChildren(
        ...list.map((/** @type {any} */ r) =>
          h(
            "tr",
            {},
            h(
              "td",
              {},
              h("a", { href: `#/orders/${encodeURIComponent(r.merchant_uid)}` }, r.merchant_uid),
            ),
            h("td", {}, r.imp_uid),
            h("td", {}, t(r.kind === "forged" ? "kindForged" : "kindDuplicate")),
            h("td", { class: "num" }, money(r.refundable_amount, r.currency)),
            h(
              "td",
              {},
              h(
                "a",
                {
                  href: `#/orders/${encodeURIComponent(r.merchant_uid)}/refund/${encodeURIComponent(r.imp_uid)}`,
                  "aria-label": `${t("rrRefund")} ${r.imp_uid}`,
                },
                t("rrRefund"),
              ),
            ),
          ),
        ),
      );
    labelCells("rr-table");
    status.textContent = list.length === 0 ? t("rrNone") : "";
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401)
      status.textContent = t("error", { message: error.message });
  }
}

// ---- routing --------------------------------------------------------------------------------

async function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return showSignIn();
  const path = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (path[0] === "orders" && path[1])
    return openOrder(path[1], path[2] === "refund" ? path[3] : undefined);
  if (path[0] === "refunds-required") return loadRefundsRequired();
  show("orders");
  await loadOrders(false);
}

/** @param {SubmitEvent} event */
async function onSignIn(event) {
  event.preventDefault();
  const input = $("token", "input");
  const token = input.value.trim();
  if (!token) return showSignIn(t("badToken"));
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    await api("GET", "orders?limit=1");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showSignIn(t("badToken"));
    $("sign-in-error").textContent = error instanceof Error ? error.message : String(error);
    return;
  }
  input.value = "";
  if (location.hash === "" || location.hash === "#/orders") await route();
  else location.hash = "#/orders";
}

function start() {
  applyStrings();
  $("lang", "select").addEventListener("change", (event) => {
    lang = /** @type {HTMLSelectElement} */ (event.target).value === "en" ? "en" : "ko";
    localStorage.setItem(LANG_KEY, lang);
    applyStrings();
    if (current && !$("order").hidden) renderOrder();
  });
  $("sign-in-form", "form").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    current = null;
    showSignIn();
  });
  $("search", "form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadOrders(false);
  });
  $("more").addEventListener("click", () => loadOrders(true));
  $("refund-form", "form").addEventListener("submit", onRefundSubmit);
  $("sync").addEventListener("click", onSync);
  window.addEventListener("hashchange", route);
  route();
}

start();
