/**
 * Who calls the admin API, and what they may touch. The operator (the admin token) sees
 * every organization; an org admin (an org admin key, or a console session made with one)
 * sees and changes only its own, and gets a 404 for anything else, as if it did not exist.
 * A console session must also send its CSRF token on every change, from its own origin.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AdminIdentity } from '../../common/adminRecords.js';
import { ADMIN_ERROR_CODES } from '../../common/errorCodes.js';
import { ApiError } from '../../common/openaiErrors.js';
import { ConsoleSessions, sessionCookieOf } from '../console/consoleSessions.js';
import type { GatewayStore } from '../store/types.js';
import { notFound } from './adminHttpErrors.js';

/** The shortest admin token accepted: a guessable one would hand out the whole network. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** A signed-in caller: who, the name its changes are audited under, and how it came. */
export interface AdminCaller {
  identity: AdminIdentity;
  actor: string;
  viaSession: boolean;
}

function unauthorized(message: string, code: string = ADMIN_ERROR_CODES.invalidToken): ApiError {
  return new ApiError(401, message, 'invalid_request_error', code);
}

function forbidden(message: string, code: string): ApiError {
  return new ApiError(403, message, 'invalid_request_error', code);
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Tells the operator from org admins, by bearer secret or console session. */
export class AdminGate {
  private readonly expected: Buffer;
  private readonly operatorActor: string;

  constructor(
    private readonly store: GatewayStore,
    adminToken: string,
    readonly sessions: ConsoleSessions,
  ) {
    if (adminToken.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(adminToken)) {
      throw new RangeError(
        `The admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces`,
      );
    }
    this.expected = digest(adminToken);
    // Audited under the token's fingerprint, never the token itself.
    this.operatorActor = `admin-token:${this.expected.toString('hex').slice(0, 8)}`;
  }

  /** The caller a secret (admin token or org admin key) signs in as, or null. */
  async bySecret(secret: string, viaSession = false): Promise<AdminCaller | null> {
    if (timingSafeEqual(digest(secret), this.expected)) {
      return {
        identity: { kind: 'operator' },
        actor: viaSession ? 'console:operator' : this.operatorActor,
        viaSession,
      };
    }
    const key = await this.store.useOrgAdminKey(secret);
    return key ? this.orgCaller(key.id, key.orgId, viaSession) : null;
  }

  private async orgCaller(keyId: string, orgId: string, viaSession: boolean) {
    const org = await this.store.getOrg(orgId);
    if (!org) return null;
    return {
      identity: { kind: 'org', orgId, orgName: org.name, keyId } as const,
      actor: `${viaSession ? 'console' : 'org-admin'}:${keyId}@${orgId}`,
      viaSession,
    };
  }

  /** The caller of a console session's claims; null when its key was revoked since. */
  async bySession(sub: string): Promise<AdminCaller | null> {
    if (sub === 'operator')
      return { identity: { kind: 'operator' }, actor: 'console:operator', viaSession: true };
    const key = await this.store.getOrgAdminKey(sub);
    if (!key || key.revokedAt !== null) return null;
    return this.orgCaller(key.id, key.orgId, true);
  }

  /**
   * The caller of an admin request: its bearer secret, or else its console session (which
   * must carry the CSRF token on changes). Throws a 401 or 403 to answer.
   */
  async identify(request: FastifyRequest): Promise<AdminCaller> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match)
        throw unauthorized("Send the admin token as 'Authorization: Bearer <admin token>'");
      const caller = await this.bySecret(match[1]!);
      if (!caller) throw unauthorized('Invalid admin token');
      return caller;
    }
    const cookie = sessionCookieOf(request.headers.cookie);
    if (cookie === undefined)
      throw unauthorized("Missing admin token: send 'Authorization: Bearer <admin token>'");
    const checked = this.sessions.check(cookie);
    if (!checked.ok) throw unauthorized(sessionMessage(checked.reason), checked.reason);
    if (CHANGES.has(request.method)) {
      if (!sameOrigin(request))
        throw forbidden("Changes must come from the console's own page", 'origin_not_allowed');
      if (!this.sessions.checkCsrf(checked.claims, header1(request.headers['x-csrf-token'])))
        throw forbidden('The CSRF token is missing or wrong: reload the console', 'csrf_failed');
    }
    const caller = await this.bySession(checked.claims.sub);
    if (!caller) throw unauthorized(sessionMessage('session_expired'), 'session_expired');
    return caller;
  }
}

export function sessionMessage(reason: 'no_session' | 'session_expired'): string {
  return reason === 'session_expired'
    ? 'Your session expired: sign in again'
    : 'You are not signed in to the console';
}

const header1 = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A browser's request from a page of this gateway: its Origin names the Host it asked. */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin === undefined || host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** What one caller may reach: the operator everything, an org admin its own organization. */
export class AdminScope {
  constructor(readonly caller: AdminCaller) {}

  get ownOrg(): string | null {
    return this.caller.identity.kind === 'org' ? this.caller.identity.orgId : null;
  }

  /** The org filter to apply: the caller's own for an org admin; 404 for any other org. */
  org(orgId: string | undefined, param = 'orgId'): string | undefined {
    const own = this.ownOrg;
    if (own === null) return orgId;
    if (orgId !== undefined && orgId !== own) throw notFound('organization', orgId, param);
    return own;
  }

  /** Like {@link org}, where an org id is required. */
  requiredOrg(orgId: string, param = 'orgId'): string {
    return this.org(orgId, param) ?? orgId;
  }

  /** Refuses an org admin what only the network's operator may do. */
  operatorOnly(what: string): void {
    if (this.ownOrg !== null)
      throw forbidden(`Only the network's operator can ${what}`, 'operator_only');
  }

  /** Throws a 404 unless the record belongs to the caller's org (operators: any). */
  owns(record: { orgId: string } | null | undefined, what: string, id: string): void {
    if (!record || (this.ownOrg !== null && record.orgId !== this.ownOrg))
      throw notFound(what, id, 'id');
  }
}

/** What an admin route works with: the store audited under the caller, and the caller's scope. */
export interface AdminContext {
  store: GatewayStore;
  scope: AdminScope;
}

/** The context of a request the gate let in. */
export type ContextOf = (request: FastifyRequest) => AdminContext;
