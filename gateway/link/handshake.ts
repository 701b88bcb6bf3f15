/**
 * The link handshake's checks: the node proves it holds the private key of an enrolled,
 * unrevoked node key by signing this connection's fresh nonce with Ed25519.
 */
import { randomBytes } from 'node:crypto';
import {
  challengeSigningBytes,
  CloseCode,
  PROTOCOL_VERSION,
  type NodeFrame,
} from '../../common/protocol.js';
import { verifyEd25519 } from '../accounting/ed25519.js';
import type { GatewayStore, NodeRecord } from '../store/types.js';

type Hello = Extract<NodeFrame, { type: 'hello' }>;

/** Outcome of checking a `hello`. */
export type HelloCheck =
  { ok: true; node: NodeRecord } | { ok: false; code: CloseCode; reason: string };

/** A fresh 32-byte challenge nonce, base64. */
export function newNonce(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The raw 32-byte Ed25519 key in standard base64, whichever base64 alphabet it came in,
 * or null when it is not 32 bytes. Enrollment and lookup both use this form.
 */
export function canonicalPublicKey(base64: string): string | null {
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === 32 ? bytes.toString('base64') : null;
}

/**
 * Checks a `hello` against this connection's nonce. The signature is checked before the
 * store is asked, so a caller without the private key learns nothing about the key's state.
 */
export async function checkHello(
  hello: Hello,
  nonce: string,
  store: GatewayStore,
): Promise<HelloCheck> {
  if (hello.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: CloseCode.UnsupportedVersion,
      reason: `unsupported protocol version ${hello.v}; this gateway speaks ${PROTOCOL_VERSION}`,
    };
  }
  const publicKey = canonicalPublicKey(hello.publicKey);
  if (!publicKey) {
    return { ok: false, code: CloseCode.BadFrame, reason: 'publicKey must be 32 bytes, base64' };
  }
  if (!verifyEd25519(publicKey, challengeSigningBytes(nonce), hello.signature)) {
    return { ok: false, code: CloseCode.BadSignature, reason: 'bad signature for this challenge' };
  }
  const node = await store.nodeByPublicKey(publicKey);
  if (!node) {
    return { ok: false, code: CloseCode.UnknownKey, reason: 'unknown node key: enroll first' };
  }
  if (node.revokedAt !== null) {
    return { ok: false, code: CloseCode.Revoked, reason: 'this node was revoked' };
  }
  return { ok: true, node };
}
