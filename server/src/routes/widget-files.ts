/**
 * Serves the widget's build (`pnpm build` writes widget/dist). The server never imports the
 * widget package: it only reads the files, so a missing build is a clear 404, not a crash.
 */
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { AppError } from "../errors.js";

const files = ["iamport-pay-button.js", "iamport-pay-button.iife.js"] as const;

export function widgetFileRoutes(widgetDir: URL): Hono {
  const app = new Hono();
  for (const file of files) {
    app.get(`/${file}`, async (c) => {
      let body: string;
      try {
        body = await readFile(new URL(file, widgetDir), "utf8");
      } catch {
        throw new AppError(
          404,
          "not_found",
          `${file} is not built yet: run \`pnpm build\` at the repository root`,
        );
      }
      return c.body(body, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "no-cache",
        // Merchants load it from their own pages on other origins.
        "access-control-allow-origin": "*",
        "cross-origin-resource-policy": "cross-origin",
      });
    });
  }
  return app;
}
