/**
 * The identity every instance of a cluster shares, kept in its PostgreSQL database: the
 * receipt signing key (nodes pin its public key), the admin token and the relay secret.
 * The first instance to start stores them; concurrent first starts agree, since each
 * value is inserted only if absent and then read back. An explicit admin token still wins.
 */
import { randomBytes } from 'node:crypto';
import { newSigningKeyPem, signingKeyFromPem, type SigningKey } from '../accounting/signingKey.js';
import { newToken, type AdminToken } from '../adminToken.js';
import type { ClusterStore } from '../store/cluster.js';

export interface SharedIdentity {
  signer: SigningKey;
  admin: AdminToken;
  /** What instances present to each other's relay endpoint. */
  clusterSecret: string;
}

/** Reads the shared identity, creating what is missing. */
export async function loadSharedIdentity(
  store: Pick<ClusterStore, 'clusterSecret'>,
  givenAdminToken?: string,
): Promise<SharedIdentity> {
  const pem = await store.clusterSecret('signing_key', newSigningKeyPem());
  const token = await store.clusterSecret('admin_token', newToken());
  const clusterSecret = await store.clusterSecret(
    'relay_secret',
    randomBytes(32).toString('base64url'),
  );
  return {
    signer: signingKeyFromPem(pem, 'cluster_secrets.signing_key (in the database)'),
    admin: givenAdminToken ? { token: givenAdminToken, file: null } : { token, file: null },
    clusterSecret,
  };
}
