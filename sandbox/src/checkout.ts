/**
 * Browser-facing routes: the stand-in SDK (`/iamport.payment.js`), the checkout page
 * (`/checkout`) and the endpoint its buttons call (`/checkout/complete`).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { formatZodError } from "@iamport-pay/shared";
import { Hono } from "hono";
import { z } from "zod";
import { completeCheckout } from "./checkout-outcome.js";
import { checkoutCsp, renderCheckoutPage } from "./checkout-page.js";
import { CheckoutParam } from "./checkout-param.js";
import { noticeUrlProblem } from "./control.js";
import { controlGuard } from "./control-guard.js";
import { controlError } from "./envelope.js";
import type { SandboxState } from "./state.js";

const sdkSource = readFileSync(new URL("./browser/iamport.payment.js", import.meta.url), "utf8");

const Mode = z.enum(["iframe", "redirect"]);

const CompleteBody = z.object({
  param: CheckoutParam,
  mode: Mode,
  action: z.enum(["approve", "decline", "close", "vbank"]),
  amount: z.number().positive(),
});

/** The page's query: the SDK hands over request_pay's param as JSON. */
function parseParam(raw: string | undefined) {
  try {
    return CheckoutParam.safeParse(JSON.parse(raw ?? ""));
  } catch {
    return CheckoutParam.safeParse(undefined);
  }
}

function errorPage(message: string) {
  return `<!doctype html><html lang="en"><title>Checkout error</title><main><h1>Checkout error</h1><p role="alert">${message.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)}</p></main></html>`;
}

export function createCheckoutRoutes(state: SandboxState): Hono {
  const checkout = new Hono();

  const serveSdk = () =>
    new Response(sdkSource, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        // Any shop page may load it, as Iamport's CDN allows.
        "access-control-allow-origin": "*",
        "cache-control": "no-cache",
      },
    });
  checkout.get("/iamport.payment.js", serveSdk);
  // The path of Iamport's current jQuery-free SDK, so a base-URL swap is enough.
  checkout.get("/v1/iamport.js", serveSdk);

  checkout.get("/checkout", (c) => {
    // Error pages have neither style nor script; the checkout page replaces this with its own.
    c.header("content-security-policy", "default-src 'none'; frame-ancestors *");
    const param = parseParam(c.req.query("param"));
    const mode = Mode.safeParse(c.req.query("mode") ?? "iframe");
    if (!param.success || !mode.success) {
      const why = param.success ? "mode" : formatZodError(param.error);
      return c.html(errorPage(`Invalid payment request: ${why}`), 400);
    }
    const target = noticeUrlProblem(state, param.data.notice_url);
    if (target) return c.html(errorPage(`Invalid payment request: ${target}`), 400);
    const impCode = c.req.query("imp_code") ?? "";
    if (impCode !== state.options.impCode) {
      return c.html(errorPage("Unknown merchant code (IMP.init)."), 400);
    }
    const cspNonce = randomBytes(16).toString("base64");
    c.header("content-security-policy", checkoutCsp(cspNonce));
    return c.html(
      renderCheckoutPage({
        impCode,
        param: param.data,
        mode: mode.data,
        nonce: c.req.query("nonce") ?? "",
        cspNonce,
      }),
    );
  });

  // The page's buttons post JSON from the sandbox's own origin; nothing else may record payments.
  checkout.use("/checkout/complete", controlGuard);
  checkout.post("/checkout/complete", async (c) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return controlError(c, 400, "bad_request", "The body is not valid JSON.");
    }
    const body = CompleteBody.safeParse(raw);
    if (!body.success) return controlError(c, 400, "bad_request", formatZodError(body.error));
    const target = noticeUrlProblem(state, body.data.param.notice_url);
    if (target) return controlError(c, 400, "bad_request", target);
    const result = completeCheckout(state, {
      ...body.data,
      userAgent: c.req.header("user-agent") ?? null,
    });
    if (!result.ok) return controlError(c, 400, "bad_request", result.message);
    return c.json({ rsp: result.rsp, redirect: result.redirect });
  });

  return checkout;
}
