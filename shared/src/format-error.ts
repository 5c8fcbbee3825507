import type { z } from "zod";

/** One readable line naming each bad field: `items.0.quantity: Too big: expected number to be <=999`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
