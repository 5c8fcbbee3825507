/**
 * Reading request input through shared's zod schemas, with our error shape on failure
 * (400 bad_request, 415 unsupported_media_type) instead of a framework default.
 */
import { formatZodError } from "@iamport-pay/shared";
import type { Context } from "hono";
import type { z } from "zod";
import { AppError, badRequest } from "./errors.js";

function check<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  // PostgreSQL text cannot hold U+0000, and a lone surrogate cannot be URL-encoded (the Iamport
  // client's path): either would fail deep inside as a 500.
  if (hasUnstorableText(value)) {
    throw badRequest("Text may not contain NUL (U+0000) or unpaired surrogate characters");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(formatZodError(parsed.error));
  return parsed.data;
}

// \p{Cs} in a u-mode regex matches only surrogates that are not part of a pair.
const loneSurrogate = /\p{Cs}/u;
const unstorable = (text: string) => text.includes("\u0000") || loneSurrogate.test(text);

/** Walks strings and keys without recursion: a body may nest thousands of levels deep. */
function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (unstorable(item)) return true;
    } else if (typeof item === "object" && item !== null) {
      for (const [key, inner] of Object.entries(item)) {
        if (unstorable(key)) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

function mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The body is not valid JSON");
  }
}

/** A JSON body (Content-Type: application/json). */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  if (mediaType(c) !== "application/json") {
    throw new AppError(415, "unsupported_media_type", "Send the body as application/json");
  }
  return check(schema, await readJson(c));
}

/** A JSON or form-encoded body: Iamport's webhook uses either, as set in its console. */
export async function jsonOrFormBody<T extends z.ZodType>(
  c: Context,
  schema: T,
): Promise<z.infer<T>> {
  const type = mediaType(c);
  if (type === "application/json") return check(schema, await readJson(c));
  if (type === "application/x-www-form-urlencoded") {
    return check(schema, Object.fromEntries(new URLSearchParams(await c.req.text())));
  }
  throw new AppError(
    415,
    "unsupported_media_type",
    "Send application/json or application/x-www-form-urlencoded",
  );
}

/** The query string; a repeated parameter is refused rather than silently picked. */
export function queryOf<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const all = c.req.queries();
  const single: Record<string, string> = {};
  for (const [key, values] of Object.entries(all)) {
    if (values.length > 1) throw badRequest(`${key}: given more than once`);
    single[key] = values[0] ?? "";
  }
  return check(schema, single);
}
