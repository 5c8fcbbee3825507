/**
 * Where the sandbox will send webhooks: the console's notification URL's origin, or this machine.
 * Anything else is refused, so a page or a control call cannot make the sandbox probe other hosts
 * of the network it runs in.
 */

function isLoopbackHostname(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Why `target` may not receive webhooks, or null when it may. */
export function webhookTargetProblem(target: string, noticeUrl: string | undefined): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `notice_url ${JSON.stringify(target)} is not a URL.`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return "notice_url must be an http(s) URL.";
  }
  if (isLoopbackHostname(url.hostname)) return null;
  if (noticeUrl !== undefined && new URL(noticeUrl).origin === url.origin) return null;
  return "notice_url must be on this machine (loopback) or on the origin of the sandbox's NOTICE_URL.";
}

/** http(s) only: `javascript:` and friends would run on whatever page follows the link. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
