/**
 * The page a shopper sees after a redirect payment when we may not send them back (no `return`,
 * or one outside ALLOWED_ORIGINS). Static text chosen from a fixed table: nothing from the query
 * string is echoed, so it cannot carry a script or a phishing link.
 */
const texts: Record<string, [string, string]> = {
  success: ["결제가 완료되었습니다.", "Payment completed."],
  vbankIssued: ["가상계좌가 발급되었습니다.", "Virtual account issued."],
  pending: ["결제가 완료되지 않았습니다.", "The payment is not complete."],
  failed: ["결제에 실패했습니다.", "The payment failed."],
  cancelled: ["결제가 취소되었습니다.", "The payment was cancelled."],
  forgery: [
    "결제 금액이 주문과 달라 취소되었습니다.",
    "The paid amount did not match the order; it was cancelled.",
  ],
  duplicate: [
    "이미 결제된 주문입니다. 중복 결제는 환불됩니다.",
    "This order was already paid; the second payment is refunded.",
  ],
  error: ["결제 결과를 확인하지 못했습니다.", "We could not confirm the payment."],
};

/** The page's only style; served under a CSP that allows exactly this block (by its hash). */
export const mobileResultStyle =
  "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.25rem}";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `shopUrl` (from the server's configuration, never from the query) becomes a link back to the
 * shop: a shopper on a phone has no other way back from a full-page redirect.
 */
export function mobileResultPage(outcome: string, shopUrl?: string): string {
  const [ko, en] = texts[outcome] ?? texts.error!;
  const back = shopUrl
    ? `<p><a href="${escapeHtml(shopUrl)}">상점으로 돌아가기 <span lang="en">(Back to the shop)</span></a></p>`
    : `<p>이 창을 닫고 상점으로 돌아가세요. <span lang="en">You may close this page and return to the shop.</span></p>`;
  return `<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>결제 결과 · Payment result</title>
<style>${mobileResultStyle}</style></head>
<body>
<main>
<h1>${ko}</h1>
<p lang="en">${en}</p>
${back}
</main>
</body>
</html>
`;
}
