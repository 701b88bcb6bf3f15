/**
 * `POST /v1/node/enroll`: a node trades a single-use enrollment code for a node id bound to
 * the code's organization, and learns the gateway's receipt-signing key.
 */
import { GuessThrottle } from './guessThrottle.js';
import type { FastifyInstance } from 'fastify';
import { ENROLLMENT_ERROR_CODES, type EnrollmentErrorCode } from '../../common/errorCodes.js';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import { enrollRequestSchema, type EnrollResponse } from '../../common/protocol.js';
import { canonicalPublicKey } from '../link/handshake.js';
import { EnrollmentError, type GatewayStore } from '../store/types.js';

const REFUSALS: Record<EnrollmentError['reason'], { status: number; code: EnrollmentErrorCode }> = {
  unknown: { status: 400, code: ENROLLMENT_ERROR_CODES.unknown },
  expired: { status: 400, code: ENROLLMENT_ERROR_CODES.expired },
  used: { status: 409, code: ENROLLMENT_ERROR_CODES.used },
  key_in_use: { status: 409, code: ENROLLMENT_ERROR_CODES.keyInUse },
};

/** Registers the enrollment route (it needs no API key: the code is the credential). */
export function registerEnrollRoute(
  app: FastifyInstance,
  store: GatewayStore,
  gatewayPublicKey: string,
): void {
  const guesses = new GuessThrottle('enrollment codes');
  app.post('/v1/node/enroll', async (request): Promise<EnrollResponse> => {
    guesses.check(request.ip);
    const body = parseOrThrow(enrollRequestSchema, request.body);
    const publicKey = canonicalPublicKey(body.publicKey);
    if (!publicKey) {
      throw ApiError.invalidRequest(
        'publicKey must be the base64 of a raw 32-byte Ed25519 public key',
        'publicKey',
        'invalid_public_key',
      );
    }
    try {
      const node = await store.enrollNode(body.code, publicKey, body.name ?? '');
      return { nodeId: node.id, orgId: node.orgId, gatewayPublicKey };
    } catch (error) {
      if (error instanceof EnrollmentError) {
        if (error.reason === 'unknown') guesses.miss(request.ip);
        const { status, code } = REFUSALS[error.reason];
        const param = error.reason === 'key_in_use' ? 'publicKey' : 'code';
        throw new ApiError(status, error.message, 'invalid_request_error', code, param);
      }
      // The store refuses a node name it cannot keep (too long, control characters).
      if (error instanceof RangeError) throw ApiError.invalidRequest(error.message, 'name');
      throw error;
    }
  });
}
