/**
 * What a path Iamport does not serve gets: a bare 404 page, not the JSON envelope, so no client
 * mistakes a route the sandbox lacks for "no such payment". UNCONFIRMED: Iamport's exact body
 * for unknown routes; its API answers from Apache, whose 404 is an HTML page.
 */
import type { Context } from "hono";

export function unknownRoute(c: Context) {
  return c.html(
    `<!doctype html><title>404 Not Found</title><h1>Not Found</h1><p>The requested URL ${escapeHtml(c.req.path)} was not found on this server.</p>`,
    404,
  );
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
