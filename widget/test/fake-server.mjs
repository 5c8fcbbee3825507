// A stand-in for our server and for Iamport's SDK, served by web-test-runner's dev server so
// each test chooses how the server answers (4xx, 5xx, hang, drop) through the URL it mounts:
//   /api/<run>/<scenario>/...   our server's routes; <run> keeps one test's requests apart
//   /api-log/<run>              what that run's requests carried, for assertions
//   /fake-sdk.js                a window.IMP whose request_pay answers as window.fakeIamport says

/** @type {Map<string, { method: string, path: string, body: unknown }[]>} */
const logs = new Map();
let orderCount = 0;

const FAKE_SDK = `
window.fakeSdkLoads = (window.fakeSdkLoads || 0) + 1;
window.impCalls = window.impCalls || [];
window.IMP = {
  init(code) { window.impCalls.push({ init: code }); },
  request_pay(param, callback) {
    window.impCalls.push({ param });
    const respond = (window.fakeIamport && window.fakeIamport.respond) ||
      ((p) => ({ success: true, imp_uid: "imp_paid_" + p.merchant_uid, merchant_uid: p.merchant_uid }));
    Promise.resolve(respond(param)).then(callback);
  },
};`;

function order(merchant_uid, status, extra = {}) {
  const now = "2026-11-25T00:00:00.000Z";
  return {
    merchant_uid,
    status,
    name: "원목 의자",
    amount: 64900,
    currency: "KRW",
    cancel_amount: 0,
    imp_uid: status === "pending" ? null : `imp_${status}_${merchant_uid}`,
    pay_method: "card",
    paid_at: status === "paid" ? now : null,
    vbank:
      status === "ready"
        ? {
            bank_code: "004",
            bank_name: "KB국민은행",
            number: "12345678901234",
            holder: "(주)상점",
            due: now,
          }
        : null,
    reason: extra.reason ?? null,
    created_at: now,
    updated_at: now,
  };
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(ctx, status, body) {
  ctx.status = status;
  ctx.type = "application/json";
  ctx.body = JSON.stringify(body);
}

const error = (code, message) => ({ status: "error", code, message });

/** Koa middleware for web-test-runner's `middleware` option. */
export async function fakeServer(ctx, next) {
  if (ctx.path === "/fake-sdk.js") {
    ctx.type = "application/javascript";
    ctx.body = FAKE_SDK;
    return;
  }
  if (ctx.path === "/empty-sdk.js") {
    ctx.type = "application/javascript";
    ctx.body = "/* loads, but defines no window.IMP */";
    return;
  }
  const logMatch = /^\/api-log\/([^/]+)$/.exec(ctx.path);
  if (logMatch) return send(ctx, 200, logs.get(logMatch[1]) ?? []);

  const match = /^\/api\/([^/]+)\/([^/]+)\/(.*)$/.exec(ctx.path);
  if (!match) return next();
  const [, run, scenario, route] = match;
  const flags = new Set(scenario.split(","));
  const body = ctx.method === "POST" ? await readJson(ctx.req) : undefined;
  if (!logs.has(run)) logs.set(run, []);
  logs.get(run).push({ method: ctx.method, path: route, body });

  if (flags.has(`${route.split("/")[0]}-drop`) || flags.has("drop")) {
    ctx.respond = false;
    ctx.req.socket.destroy();
    return;
  }
  if (flags.has(`${route.split("/")[0]}-hang`)) {
    // Answers nothing until the browser gives up and closes the connection.
    await new Promise((resolve) => ctx.req.on("close", resolve));
    ctx.respond = false;
    return;
  }

  if (flags.has("origin-403")) {
    // What the real server answers a page on an origin it does not allow.
    ctx.set("access-control-allow-origin", ctx.get("origin") || "*");
    return send(ctx, 403, error("origin_not_allowed", "add the origin to ALLOWED_ORIGINS"));
  }
  if (flags.has("orders-slow") && route === "orders") {
    // Past Chromium's ~5 s user-activation window after the click.
    await new Promise((resolve) => setTimeout(resolve, 5500));
  }

  if (route === "config" && ctx.method === "GET") {
    if (flags.has("config-500")) return send(ctx, 500, error("internal", "boom"));
    const config = {
      impCode: "imp10000001",
      sdkUrl: flags.has("missing-sdk") ? "/missing-sdk.js" : "/fake-sdk.js",
    };
    if (flags.has("config-pg")) config.pg = "kcp.A52CY";
    return send(ctx, 200, config);
  }
  if (route === "orders" && ctx.method === "POST") {
    if (flags.has("orders-400")) return send(ctx, 400, error("unknown_sku", "unknown sku"));
    if (flags.has("orders-500")) return send(ctx, 500, error("internal", "Internal error"));
    orderCount += 1;
    return send(ctx, 201, {
      merchant_uid: `m_${run}_${orderCount}`,
      name: "원목 의자",
      amount: 64900,
      currency: "KRW",
      status: "pending",
    });
  }
  if (route === "payments/complete" && ctx.method === "POST") {
    if (flags.has("complete-500")) return send(ctx, 500, error("internal", "Internal error"));
    const completes = logs.get(run).filter((r) => r.path === "payments/complete").length;
    // Iamport slow or a proxy error right after approval, then recovery.
    if (flags.has("complete-503-once") && completes === 1) {
      return send(ctx, 503, error("iamport_unavailable", "Iamport did not answer"));
    }
    if (flags.has("forgery")) return send(ctx, 400, { status: "forgery", message: "위조된 결제" });
    const { imp_uid = "", merchant_uid = "" } = body ?? {};
    if (imp_uid.startsWith("imp_vbank")) {
      return send(ctx, 200, {
        status: "vbankIssued",
        message: "가상계좌 발급",
        order: order(merchant_uid, "ready"),
      });
    }
    if (imp_uid.startsWith("imp_failed")) {
      return send(ctx, 200, {
        status: "failed",
        message: "실패",
        order: order(merchant_uid, "failed"),
      });
    }
    return send(ctx, 200, {
      status: "success",
      message: "결제 성공",
      order: order(merchant_uid, "paid"),
    });
  }
  const orderMatch = /^orders\/([^/]+)$/.exec(route);
  if (orderMatch && ctx.method === "GET") {
    const uid = decodeURIComponent(orderMatch[1]);
    if (flags.has("order-404")) return send(ctx, 404, error("order_not_found", "no such order"));
    const status = ["paid", "ready", "failed", "pending", "forged"].find((s) =>
      flags.has(`return-${s}`),
    );
    return send(
      ctx,
      200,
      order(uid, status ?? "paid", {
        reason: flags.has("return-failed") ? "카드 한도 초과" : null,
      }),
    );
  }
  return send(ctx, 404, error("not_found", `no route ${ctx.method} ${route}`));
}
