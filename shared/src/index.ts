export * from "./admin.js";
export * from "./error.js";
export { formatZodError } from "./format-error.js";
export * from "./iamport.js";
export * from "./money.js";
export * from "./order.js";
export * from "./sdk.js";
export type * from "./widget-events.js";
