/**
 * Sandbox mode only: the demo shop at `/` (server/demo/), its catalog, and the sandbox console's
 * order list. Never mounted with real keys: the console lists every order.
 */
import { readFile } from "node:fs/promises";
import type { Product } from "@iamport-pay/shared";
import { desc, inArray } from "drizzle-orm";
import { Hono } from "hono";
import type { Db } from "../db/open.js";
import { orders, paymentEvents } from "../db/schema.js";
import { AppError } from "../errors.js";
import { toOrderView } from "../order-view.js";

const demoDir = new URL("../../demo/", import.meta.url);
const types: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

async function serveFile(name: string): Promise<Response> {
  const extension = name.split(".").pop() ?? "";
  const type = types[extension];
  // A fixed pattern: no path segments, so no way out of demo/.
  if (!/^[a-z-]+\.[a-z]+$/.test(name) || type === undefined)
    throw new AppError(404, "not_found", "Not found");
  try {
    return new Response(await readFile(new URL(name, demoDir)), {
      headers: { "content-type": type },
    });
  } catch {
    throw new AppError(404, "not_found", "Not found");
  }
}

export function demoRoutes(options: { db: Db; catalog: readonly Product[] }): Hono {
  const app = new Hono();
  app.get("/", () => serveFile("index.html"));
  app.get("/demo/catalog.json", (c) => c.json(options.catalog));
  app.get("/demo/:file", (c) => serveFile(c.req.param("file")));
  app.get("/sandbox-console", (c) => c.redirect("/sandbox-console/"));
  app.get("/sandbox-console/", () => serveFile("console.html"));
  app.get("/sandbox-console/orders.json", async (c) => {
    const db = options.db.drizzle;
    const rows = await db.select().from(orders).orderBy(desc(orders.createdAt)).limit(50);
    const ids = rows.map((row) => row.merchantUid);
    const events = ids.length
      ? await db
          .select()
          .from(paymentEvents)
          .where(inArray(paymentEvents.merchantUid, ids))
          .orderBy(paymentEvents.id)
      : [];
    return c.json(
      rows.map((row) => ({
        order: toOrderView(row),
        events: events
          .filter((event) => event.merchantUid === row.merchantUid)
          .map((event) => ({
            source: event.source,
            imp_uid: event.impUid,
            iamport_status: event.iamportStatus,
            decision: event.decision,
            created_at: event.createdAt.toISOString(),
          })),
      })),
    );
  });
  return app;
}
