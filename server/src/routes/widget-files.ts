/**
 * Serves the widget's build. The server never imports the widget's code: it finds the
 * `@iamport-pay/widget` package it depends on (its dist/ ships the two bundles; in the repository
 * `pnpm build` writes them) and reads the files, so a missing build is a clear 404, not a crash.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Hono } from "hono";
import { AppError } from "../errors.js";

/** The installed widget package's dist/ folder, wherever the package manager put it. */
export function findWidgetDir(): URL {
  try {
    const manifest = createRequire(import.meta.url).resolve("@iamport-pay/widget/package.json");
    return new URL("./dist/", pathToFileURL(manifest));
  } catch {
    // Not installed (a trimmed install): every widget file then answers the 404 below.
    return new URL("./iamport-pay-widget-not-installed/", import.meta.url);
  }
}

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
          `${file} is missing: install @iamport-pay/widget (in the repository: run \`pnpm build\`)`,
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
