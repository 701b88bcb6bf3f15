/**
 * The console: its built page at `/console/` (the renderer build's console.html and its
 * assets), and its session calls under `/console/api/session`. Signing in takes the admin
 * token or an org admin key and answers with an HttpOnly, SameSite=Strict cookie; the page
 * then calls the admin API with that cookie and the session's CSRF token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signInBodySchema } from '../../common/adminApi.js';
import type { ConsoleSession } from '../../common/adminRecords.js';
import { DASHBOARD_CSP } from '../../common/contentSecurityPolicy.js';
import type { Logger } from '../../common/log.js';
import { fileSize, registerAssets, sendFile } from '../../common/node/staticFiles.js';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import { join, resolve } from 'node:path';
import {
  sameOrigin,
  sessionMessage,
  type AdminCaller,
  type AdminGate,
} from '../admin/adminAccess.js';
import { GuessThrottle } from '../api/guessThrottle.js';
import { ConsoleSessions, sessionCookieOf, type SessionClaims } from './consoleSessions.js';

export const CONSOLE_PATH = '/console/';

/** Headers of every console page and asset: the dashboard's strict policy, no framing. */
const PAGE_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface ConsoleOptions {
  /** The renderer build folder (console.html and assets/). */
  dir: string;
  gate: AdminGate;
  logger: Logger;
}

function unauthorized(message: string, code: string): ApiError {
  return new ApiError(401, message, 'invalid_request_error', code);
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const dir = resolve(options.dir);
  const assetsDir = join(dir, 'assets');
  const { gate } = options;
  const sessions: ConsoleSessions = gate.sessions;
  const guesses = new GuessThrottle('console sign-ins');
  let warned = false;

  const answer = (caller: AdminCaller, claims: SessionClaims): ConsoleSession => ({
    identity: caller.identity,
    csrfToken: sessions.csrfToken(claims),
    expiresAt: new Date(claims.exp).toISOString(),
  });

  app.get('/console', async (_request, reply) => reply.redirect(CONSOLE_PATH, 308));

  app.get(CONSOLE_PATH, async (_request, reply) => {
    const page = join(dir, 'console.html');
    const size = await fileSize(page);
    if (size === null) {
      if (!warned) options.logger.warn('console not built', { dir });
      warned = true;
      throw new ApiError(
        404,
        'The console is not built: run npm run build',
        'invalid_request_error',
        'console_not_built',
      );
    }
    return sendFile(reply.headers(PAGE_HEADERS), page, size, 'no-cache');
  });

  registerAssets(app, `${CONSOLE_PATH}assets/`, assetsDir, PAGE_HEADERS);

  /** Sign-in and sign-out come from the console's own page only. */
  const ownPage = (request: FastifyRequest) => {
    if (!sameOrigin(request))
      throw new ApiError(
        403,
        "Sign in from the console's own page",
        'invalid_request_error',
        'origin_not_allowed',
      );
  };

  app.post('/console/api/session', async (request, reply: FastifyReply) => {
    ownPage(request);
    guesses.check(request.ip);
    const { secret } = parseOrThrow(signInBodySchema, request.body ?? {});
    const caller = await gate.bySecret(secret, true);
    if (!caller) {
      guesses.miss(request.ip);
      throw unauthorized('That is not the admin token or an org admin key', 'invalid_secret');
    }
    const sub = caller.identity.kind === 'operator' ? 'operator' : caller.identity.keyId;
    const { cookie, claims } = sessions.issue(sub);
    const secure = request.protocol === 'https';
    return reply
      .header('set-cookie', sessions.setCookie(cookie, claims, secure))
      .send(answer(caller, claims));
  });

  app.get('/console/api/session', async (request) => {
    const checked = sessions.check(sessionCookieOf(request.headers.cookie));
    if (!checked.ok) throw unauthorized(sessionMessage(checked.reason), checked.reason);
    const caller = await gate.bySession(checked.claims.sub);
    if (!caller) throw unauthorized(sessionMessage('session_expired'), 'session_expired');
    return answer(caller, checked.claims);
  });

  app.delete('/console/api/session', async (request, reply) => {
    ownPage(request);
    return reply.header('set-cookie', ConsoleSessions.clearCookie()).send({ signedOut: true });
  });
}
