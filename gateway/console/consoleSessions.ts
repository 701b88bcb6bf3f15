/**
 * Console sessions: a signed cookie, so that every gateway instance that shares the admin
 * token accepts it with nothing stored. The cookie names who signed in (the operator, or an
 * org admin key) and when it expires; its CSRF token is derived from it, so a page of
 * another origin, which cannot read the cookie, cannot forge the header either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie's name. */
export const SESSION_COOKIE = 'byoi_console';
/** How long a session lasts by default: 8 hours. */
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** Playground tokens start so, and last 15 minutes. */
export const PLAYGROUND_TOKEN_PREFIX = 'byoi-pg-';
const PLAYGROUND_TOKEN_TTL_MS = 15 * 60 * 1000;

/** What a session cookie says. */
export interface SessionClaims {
  /** `operator`, or the org admin key's id. */
  sub: string;
  /** Epoch ms. */
  exp: number;
  /** Random, so that two sessions never share a CSRF token. */
  nonce: string;
}

export type SessionCheck =
  { ok: true; claims: SessionClaims } | { ok: false; reason: 'no_session' | 'session_expired' };

export class ConsoleSessions {
  private readonly key: Buffer;

  /** `secret` is the admin token: instances that share it share sessions. */
  constructor(
    secret: string,
    private readonly ttlMs: number = DEFAULT_SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', 'byoi-console-session').update(secret).digest();
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }

  /** A new session's cookie value and claims. */
  issue(sub: string): { cookie: string; claims: SessionClaims } {
    const claims = {
      sub,
      exp: this.now() + this.ttlMs,
      nonce: randomBytes(16).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { cookie: `${body}.${this.sign(body)}`, claims };
  }

  /** Reads a cookie value: its claims, or why it is not a session. */
  check(cookie: string | undefined): SessionCheck {
    const [body, mac, extra] = (cookie ?? '').split('.');
    if (!body || !mac || extra !== undefined || !sameText(mac, this.sign(body)))
      return { ok: false, reason: 'no_session' };
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return { ok: false, reason: 'no_session' };
    }
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string')
      return { ok: false, reason: 'no_session' };
    if (claims.exp <= this.now()) return { ok: false, reason: 'session_expired' };
    return { ok: true, claims };
  }

  /**
   * A short-lived bearer for the client API that acts as API key `keyId`: the playground's,
   * so that the page never holds a key's secret and its requests pass the same policy.
   */
  playgroundToken(keyId: string): { token: string; expiresAt: string } {
    const exp = this.now() + PLAYGROUND_TOKEN_TTL_MS;
    const body = Buffer.from(JSON.stringify({ k: keyId, exp })).toString('base64url');
    const token = `${PLAYGROUND_TOKEN_PREFIX}${body}.${this.sign(`pg:${body}`)}`;
    return { token, expiresAt: new Date(exp).toISOString() };
  }

  /** The API key id a playground token acts as, or null (forged, malformed or expired). */
  playgroundKey(token: string): string | null {
    if (!token.startsWith(PLAYGROUND_TOKEN_PREFIX) || token.length > 1024) return null;
    const [body, mac, extra] = token.slice(PLAYGROUND_TOKEN_PREFIX.length).split('.');
    if (!body || !mac || extra !== undefined || !sameText(mac, this.sign(`pg:${body}`)))
      return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        k: unknown;
        exp: unknown;
      };
      if (typeof claims.k !== 'string' || typeof claims.exp !== 'number') return null;
      return claims.exp > this.now() ? claims.k : null;
    } catch {
      return null;
    }
  }

  /** The CSRF token of a session. */
  csrfToken(claims: SessionClaims): string {
    return this.sign(`csrf:${claims.nonce}`);
  }

  checkCsrf(claims: SessionClaims, header: string | undefined): boolean {
    return typeof header === 'string' && sameText(header, this.csrfToken(claims));
  }

  /** The Set-Cookie header of a session (HttpOnly, SameSite=Strict, path-wide). */
  setCookie(cookie: string, claims: SessionClaims, secure: boolean): string {
    const maxAge = Math.max(0, Math.floor((claims.exp - this.now()) / 1000));
    return `${SESSION_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
  }

  /** The Set-Cookie header that ends a session. */
  static clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The session cookie's value in a Cookie header, if any. */
export function sessionCookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
