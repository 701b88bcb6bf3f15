/**
 * Error codes that one part answers and another acts on, so neither matches a string the
 * other may change. The OpenAI error shape carries them in `error.code`.
 */

/** Why the gateway refused an enrollment (`POST /v1/node/enroll`). */
export const ENROLLMENT_ERROR_CODES = {
  unknown: 'invalid_enrollment_code',
  expired: 'enrollment_code_expired',
  used: 'enrollment_code_used',
  /** The node's key is enrolled already: it must serve with that identity, not enroll again. */
  keyInUse: 'node_key_in_use',
} as const;

export type EnrollmentErrorCode =
  (typeof ENROLLMENT_ERROR_CODES)[keyof typeof ENROLLMENT_ERROR_CODES];

/** A refusal that a fresh code would get past (the code itself was bad, spent or expired). */
export function isSpentCodeError(code: string | null | undefined): boolean {
  return (
    code === ENROLLMENT_ERROR_CODES.unknown ||
    code === ENROLLMENT_ERROR_CODES.expired ||
    code === ENROLLMENT_ERROR_CODES.used
  );
}

/** The node's `joinNetwork` failed for a reason the gateway gave no code for. */
export const JOIN_FAILED = 'join_failed';

/** The gateway's admin API. */
export const ADMIN_ERROR_CODES = {
  invalidToken: 'invalid_admin_token',
  conflict: 'conflict',
} as const;
