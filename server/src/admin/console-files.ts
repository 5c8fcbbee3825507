/**
 * The staff console's files (admin-console/: one page, one script, one stylesheet, no build).
 * They hold nothing secret; the page asks for the token and keeps it in sessionStorage. A strict
 * Content-Security-Policy keeps any injected markup from running script or leaking the token.
 */
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { AppError } from "../errors.js";

export const defaultConsoleDir = new URL("../../admin-console/", import.meta.url);

const files: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "console.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
};

const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

export function consoleFileRoutes(dir: URL = defaultConsoleDir): Hono {
  const app = new Hono();
  const serve = (file: string) => async (c: import("hono").Context) => {
    let body: string;
    try {
      body = await readFile(new URL(file, dir), "utf8");
    } catch {
      throw new AppError(404, "not_found", "The admin console's files are missing");
    }
    return c.body(body, 200, { "content-type": files[file]!, ...securityHeaders });
  };
  // Mounted at /admin, "/" is "/admin": the page's relative links need "/admin/".
  app.get("/", (c) => c.redirect(`${c.req.path}/`, 308));
  // An optional parameter is how a sub-app matches its own path with a trailing slash.
  app.get("/:file{(index\\.html|console\\.js|console\\.css)?}", (c) =>
    serve(c.req.param("file") || "index.html")(c),
  );
  return app;
}
