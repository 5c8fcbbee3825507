/**
 * Property names only our own modules read or write, shortened by the minifier in both builds.
 * Only long names that are unmistakably ours: never a DOM, Lit or `Object` member, a field our
 * server sends or receives, what sessionStorage keeps (a reload after an upgrade reads it), an
 * attribute, or a property or method a page may use (`pay`, `state`, `message` of an event…).
 * test/iife-journeys.browser.test.ts goes through each of them, and test/own-properties.browser.test.ts
 * checks that no browser object has a member of that name.
 */
export const ownProperties = [
  // PayDeps (pay-flow.ts)
  "loadSdk",
  "requestPay",
  "onStart",
  "remember",
  "onConfirming",
  "activationExpired",
  "askToContinue",
  // PayInput
  "redirectFallback",
  "returnUrl",
  // ServerApi, ServerApiOptions
  "createOrder",
  "timeoutMs",
  // Strings (strings.ts)
  "confirming",
  "vbankIssued",
  "misconfigured",
  // The element's private state (a Lit state property: no attribute).
  "waiting",
];
