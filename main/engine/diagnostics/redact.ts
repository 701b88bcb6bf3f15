/**
 * The support bundle: status, settings, checks, hardware and recent logs as pretty JSON,
 * with anything secret taken out. Secret-named fields are replaced, URLs lose their user
 * info, query and fragment, bearer tokens in text are masked, and prompt-like fields are
 * dropped (logs carry none, but a bundle must never leak one).
 */
import type { HardwareReport } from '../../../common/hardware.js';
import type { DiagnosticCheck, LogEntry, NodeStatus } from '../../../common/nodeApi.js';
import { REASON_PARAMS, type Reason } from '../../../common/reasonCodes.js';

export const REDACTED = '[redacted]';
export const REMOVED = '[removed]';

/** Words that make a field secret, wherever they stand in its name (`apiKey`, `x-auth-token`). */
const SECRET_WORDS = new Set([
  'token',
  'key',
  'keys',
  'apikey',
  'secret',
  'secrets',
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'code',
  'codes',
  'authorization',
  'auth',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'privatekey',
]);
/** Fields that may hold prompt or completion text. */
const ALWAYS_REMOVED = new Set(['content', 'messages']);
const TEXT_REMOVED = new Set(['prompt', 'completion', 'text', 'response']);

const URL_PATTERN = /\b[a-z][a-z\d+.-]*:\/\/[^\s"'<>]+/gi;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
/** `token=…`, `api_key: …`, `code=…` and the like inside free text. */
const ASSIGNED_SECRET =
  /\b([\w-]*(?:token|api[_-]?key|secret|password|passwd|private[_-]?key|code))(\s*[=:]\s*)(?!\[redacted\])[^\s,;"']+/gi;

/** The lower-case words of a field name: `apiKey` → api, key; `X_Auth-Token` → x, auth, token. */
function words(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter(Boolean);
}

/** Whether any string is in `value`: secrets are text, while counts and timings are not. */
function holdsText(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(holdsText);
}

function isSecretName(name: string, value: unknown): boolean {
  const parts = words(name);
  const secretWord =
    parts.some((part) => SECRET_WORDS.has(part)) ||
    SECRET_WORDS.has(parts.join('')) ||
    parts.includes('tokens');
  // `timeToFirstTokenMs` or `promptTokens` hold numbers: only text under such a name is secret.
  return secretWord && holdsText(value);
}

/** A URL without user info, query or fragment. */
function scrubUrl(found: string): string {
  // Sentence punctuation right after a URL is not part of it.
  const trail = /[.,;:!?)\]}]+$/.exec(found)?.[0] ?? '';
  const core = found.slice(0, found.length - trail.length);
  try {
    const url = new URL(core);
    const hadPath = /^[^:]+:\/\/[^/?#]*\//.test(core);
    const path = url.pathname === '/' && !hadPath ? '' : url.pathname;
    return `${url.protocol}//${url.host}${path}${trail}`;
  } catch {
    return core.replace(/\/\/[^/@\s]*@/, '//').replace(/[?#].*$/, '') + trail;
  }
}

/** Removes user info, query and fragment from every URL in `text`, and masks bearer tokens. */
export function scrubText(text: string): string {
  return text
    .replace(URL_PATTERN, scrubUrl)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(ASSIGNED_SECRET, `$1$2${REDACTED}`);
}

/**
 * A reason (common/reasonCodes.ts) names its code `code`, a secret word: one whose code is
 * known keeps it, so that support sees which reason it was. Its parameters are scrubbed.
 */
function isKnownReason(value: unknown): value is Reason {
  if (typeof value !== 'object' || value === null) return false;
  const { code, params } = value as Partial<Reason>;
  return (
    typeof code === 'string' &&
    Object.hasOwn(REASON_PARAMS, code) &&
    typeof params === 'object' &&
    params !== null
  );
}

/** A deep copy of `value` with secrets redacted (see the module comment). */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (isKnownReason(field)) {
      out[name] = { code: field.code, params: redact(field.params, seen) };
    } else if (
      ALWAYS_REMOVED.has(lower) ||
      (TEXT_REMOVED.has(lower) && typeof field === 'string')
    ) {
      out[name] = REMOVED;
    } else if (isSecretName(name, field)) {
      out[name] = field === null || field === undefined ? field : REDACTED;
    } else {
      out[name] = redact(field, seen);
    }
  }
  return out;
}

/** What goes into a support bundle. */
export interface BundleInput {
  status: NodeStatus;
  /** The settings as stored (any shape: everything secret is redacted). */
  settings: unknown;
  checks: readonly DiagnosticCheck[];
  logs: readonly LogEntry[];
  hardware: HardwareReport | null;
  /** When the bundle was made (default now). */
  createdAt?: Date;
}

/** The support bundle as pretty JSON, with secrets and prompt text removed. */
export function redactedBundle(input: BundleInput): string {
  const bundle = {
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    status: input.status,
    checks: input.checks,
    settings: input.settings,
    hardware: input.hardware,
    logs: input.logs,
  };
  return JSON.stringify(redact(bundle), null, 2);
}
