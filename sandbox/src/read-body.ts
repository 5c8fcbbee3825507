/** Iamport takes JSON or form bodies on its POST routes; read either into a plain object. */
import type { Context } from "hono";

/** Fields Iamport reads as numbers, which a form body carries as strings. */
const numericFields = new Set(["amount", "tax_free", "vat_amount", "checksum"]);
const booleanFields = new Set(["enable_webhook", "retain_promotion"]);

export class BodyError extends Error {}

export async function readBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await c.req.parseBody();
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(form)) {
      if (typeof value !== "string") continue;
      // PHP-style nesting, as form clients send `extra`: `extra[requester]=customer`.
      const nested = key.match(/^(\w+)\[(\w+)\]$/);
      if (nested?.[1] && nested[2]) {
        const inner = (out[nested[1]] ?? {}) as Record<string, unknown>;
        inner[nested[2]] = value;
        out[nested[1]] = inner;
      } else if (numericFields.has(key) && value.trim() !== "") out[key] = Number(value);
      else if (booleanFields.has(key)) out[key] = value === "true";
      else out[key] = value;
    }
    return out;
  }
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      // A null field means "not given" (clients send `checksum: null`), as Iamport reads it.
      return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== null));
    }
  } catch {
    // fall through to the error below
  }
  throw new BodyError("The body must be a JSON object or a form.");
}
