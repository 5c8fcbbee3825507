/**
 * The SDK callback's verdict, without zod (the widget imports it: zod at run time would double
 * its size). `sdk.ts` has the schemas and re-exports this.
 */

/** Whether an `rsp` reports failure, in both the old (`success`) and new (`error_code`) styles. */
export function isRequestPayFailure(rsp: {
  success?: boolean | undefined;
  error_code?: string | null | undefined;
}): boolean {
  return rsp.success === false || (rsp.error_code != null && rsp.error_code !== "");
}
