/**
 * Reading request input through shared's zod schemas, with our error shape on failure
 * (400 bad_request, 415 unsupported_media_type) instead of a framework default.
 */
import { formatZodError } from "@iamport-pay/shared";
import type { Context } from "hono";
import type { z } from "zod";
import { AppError, badRequest } from "./errors.js";

function check<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(formatZodError(parsed.error));
  return parsed.data;
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
