/**
 * Enrollment: `POST <gateway>/v1/node/enroll` with a one-time code binds this node's public
 * key to the code's organization. The answer is kept in `<dataDir>/enrollment.json`.
 */
import { hostname } from 'node:os';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ENROLLMENT_ERROR_CODES } from '../../../common/errorCodes.js';
import { enrollRequestSchema, type EnrollRequest } from '../../../common/protocol.js';
import { writeFileAtomic } from '../storage/atomicFile.js';
import { gatewayEndpoint, isInsecureRemote, secureGatewayURL } from './gatewayURL.js';
import { loadOrCreateIdentity, type NodeIdentity } from './identity.js';

export const ENROLLMENT_FILE = 'enrollment.json';

const id = z.string().min(1).max(128);
const base64 = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[A-Za-z0-9+/=_-]*$/, 'must be base64');

/** The gateway's answer to an enrollment. */
export const enrollResponseSchema = z.object({ nodeId: id, orgId: id, gatewayPublicKey: base64 });

/** What `enrollment.json` holds. */
export const enrollmentSchema = enrollResponseSchema.extend({
  gatewayURL: z.url({ protocol: /^https?$/ }),
  enrolledAt: z.iso.datetime(),
  /** The user allowed plain http:// to this gateway on another machine (`--insecure`). */
  insecure: z.literal(true).optional(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

/** The gateway refused the enrollment, or could not be reached. */
export class EnrollmentError extends Error {
  override name = 'EnrollmentError';
  /** The gateway's HTTP status and error code, when it answered. */
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** `enrollment.json` exists but cannot be used; it is left untouched. */
export class EnrollmentFileError extends Error {
  override name = 'EnrollmentFileError';
}

export interface EnrollOptions {
  /** The gateway's http(s) URL. */
  gatewayURL: string;
  /** The one-time enrollment code from the gateway's operator. */
  code: string;
  dataDir: string;
  /** A name for this node in the organization (default: the host name). */
  name?: string;
  /** The node's key, when it is not the file in the data folder (the app's keyring). */
  identity?: NodeIdentity;
  /** Allows plain http:// to a gateway on another machine (a private network). */
  insecure?: boolean;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

function errorMessage(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' && message.length > 0 ? message : undefined;
}

/**
 * Enrolls this node (making its key first if needed) and writes `enrollment.json`
 * atomically. A previous enrollment is kept as `enrollment.json.<time>.bak`.
 */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const gatewayURL = secureGatewayURL(options.gatewayURL, options.insecure);
  const identity = options.identity ?? (await loadOrCreateIdentity(options.dataDir));
  const body: EnrollRequest = enrollRequestSchema.parse({
    code: options.code,
    publicKey: identity.publicKey,
    name: (options.name ?? hostname()).slice(0, 128),
  });
  const endpoint = gatewayEndpoint(gatewayURL, '/v1/node/enroll');
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new EnrollmentError(
      `could not reach the gateway at ${endpoint}: ${cause ?? (error instanceof Error ? error.message : String(error))}`,
    );
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const code = (json as { error?: { code?: unknown } } | undefined)?.error?.code;
    const gatewayCode = typeof code === 'string' ? code : null;
    const hint =
      gatewayCode === ENROLLMENT_ERROR_CODES.keyInUse
        ? ` (this key is enrolled already: serve with this data folder, or move ${identity.keyPath} aside to enroll as a new node)`
        : '';
    throw new EnrollmentError(
      `the gateway refused the enrollment: ${errorMessage(json) ?? `HTTP ${response.status}`}${hint}`,
      response.status,
      gatewayCode,
    );
  }
  const parsed = enrollResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new EnrollmentError(
      `the gateway's answer is not an enrollment (${parsed.error.issues[0]?.message ?? 'not JSON'})`,
      response.status,
    );
  }
  const enrollment: Enrollment = {
    gatewayURL,
    ...parsed.data,
    enrolledAt: new Date().toISOString(),
    ...(isInsecureRemote(gatewayURL) ? { insecure: true as const } : {}),
  };
  const path = join(options.dataDir, ENROLLMENT_FILE);
  const backup = `${path}.${Date.now()}.bak`;
  await copyFile(path, backup).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await writeFileAtomic(path, JSON.stringify(enrollment, null, 2) + '\n', {
    mode: 0o600,
    overwrite: true,
  });
  return enrollment;
}

/** Reads `<dataDir>/enrollment.json`: null when the node is not enrolled. */
export async function readEnrollment(dataDir: string): Promise<Enrollment | null> {
  const path = join(dataDir, ENROLLMENT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EnrollmentFileError(
      `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EnrollmentFileError(
      `${path} is not valid JSON. It was left untouched; fix it, or enroll again with 'byoi-node enroll'.`,
    );
  }
  const parsed = enrollmentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EnrollmentFileError(
      `${path} is not a valid enrollment (${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid'}). ` +
        "It was left untouched; fix it, or enroll again with 'byoi-node enroll'.",
    );
  }
  return parsed.data;
}
