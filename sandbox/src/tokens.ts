/**
 * Iamport's access-token rules (docs/iamport-notes.md, "Tokens"): a token lives `ttl` seconds (30 minutes); asked
 * again while it is valid, Iamport hands back the same token; asked within its last minute, it
 * moves the expiry 5 minutes later so several servers of one merchant can share it.
 */
import { randomBytes } from "node:crypto";
import type { Token } from "@iamport-pay/shared";

const LAST_MINUTE = 60;
const EXTENSION = 5 * 60;

interface Issued {
  access_token: string;
  expired_at: number;
}

export interface TokenStore {
  issue(): Token;
  isValid(token: string): boolean;
  /** Ends every token now, as if its 30 minutes had passed. */
  expireAll(): void;
  clear(): void;
}

export function createTokenStore(options: {
  ttlSeconds: number;
  nowSeconds: () => number;
}): TokenStore {
  let current: Issued | undefined;
  // Older tokens stay valid until their own expiry (UNCONFIRMED: whether Iamport revokes them).
  const issued = new Map<string, number>();

  return {
    issue() {
      const now = options.nowSeconds();
      if (current === undefined || current.expired_at <= now) {
        current = {
          access_token: randomBytes(20).toString("hex"),
          expired_at: now + options.ttlSeconds,
        };
      } else if (current.expired_at - now <= LAST_MINUTE) {
        // UNCONFIRMED: the 5 minutes are added to the old expiry, not to "now".
        current = { ...current, expired_at: current.expired_at + EXTENSION };
      }
      issued.set(current.access_token, current.expired_at);
      return { access_token: current.access_token, now, expired_at: current.expired_at };
    },
    isValid(token) {
      const expiredAt = issued.get(token);
      return expiredAt !== undefined && options.nowSeconds() < expiredAt;
    },
    expireAll() {
      const now = options.nowSeconds();
      for (const token of issued.keys()) issued.set(token, now);
      current = undefined;
    },
    clear() {
      current = undefined;
      issued.clear();
    },
  };
}

/**
 * The token a request carries: `Authorization: Bearer <token>` (the docs' form), a bare
 * `Authorization: <token>` (the seed guide and public clients), or the legacy `X-ImpTokenHeader`.
 */
export function tokenFromHeaders(headers: {
  authorization?: string | undefined;
  impTokenHeader?: string | undefined;
}): string | undefined {
  const auth = headers.authorization?.trim();
  if (auth) return auth.replace(/^Bearer\s+/i, "").trim() || undefined;
  return headers.impTokenHeader?.trim() || undefined;
}
