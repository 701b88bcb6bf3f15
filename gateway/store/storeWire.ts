/**
 * The messages between the gateway and its database thread (`storeWorker.ts`,
 * `workerStore.ts`): a call names one store method; its answer carries the value or the
 * error, rebuilt on this side as the same class so that callers' `instanceof` checks hold.
 */
import { DataDirLockedError } from './dirLock.js';
import { FieldError } from './storeRows.js';
import { ConflictError, EnrollmentError, UnknownOrgError, type GatewayStore } from './types.js';

/** Every store method, in the interface's order; the compiler checks that none is missing. */
export const STORE_METHODS = [
  'createOrg',
  'listOrgs',
  'getOrg',
  'createApiKey',
  'authenticateApiKey',
  'revokeApiKey',
  'listApiKeys',
  'getApiKey',
  'usageDaily',
  'nodeEarnings',
  'createOrgAdminKey',
  'useOrgAdminKey',
  'getOrgAdminKey',
  'listOrgAdminKeys',
  'revokeOrgAdminKey',
  'createEnrollmentCode',
  'enrollNode',
  'nodeByPublicKey',
  'listNodes',
  'revokeNode',
  'recordNodeFault',
  'clearNodeFaults',
  'setNodeRewards',
  'nodeRewards',
  'recordUsage',
  'usageFor',
  'listUsage',
  'balances',
  'recentPrices',
  'addProvider',
  'upsertProvider',
  'listProviders',
  'getProvider',
  'removeProvider',
  'setProviderEnabled',
  'setRoutingRule',
  'listRoutingRules',
  'removeRoutingRule',
  'usageReport',
  'setRateLimit',
  'setQuota',
  'quotaStatus',
  'setCachePolicy',
  'policySettings',
  'admit',
  'settle',
  'prunePolicy',
  'findCached',
  'storeCached',
  'appendAudit',
  'listAudit',
  'clusterSecret',
  'clusterBeat',
  'clusterSetLinks',
  'clusterLeave',
  'clusterPeers',
  'healthLease',
  'storeHealth',
  'sharedHealth',
  'clusterChanges',
  'close',
] as const satisfies readonly (keyof GatewayStore)[];
export type StoreMethod = (typeof STORE_METHODS)[number];
// A method added to GatewayStore but not above fails to compile here.
const everyMethod: Exclude<keyof GatewayStore, StoreMethod> extends never ? true : never = true;
void everyMethod;

export interface StoreCall {
  id: number;
  method: StoreMethod;
  args: unknown[];
}

export type WireError =
  | { kind: 'unknownOrg'; orgId: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'enrollment'; reason: EnrollmentError['reason'] }
  | { kind: 'locked'; lockPath: string; pid: number }
  | { kind: 'field'; field: string; message: string }
  | { kind: 'range' | 'type' | 'error'; message: string };

export type StoreAnswer = { id: number; value: unknown } | { id: number; error: WireError };

/** The thread's first message: open, or why it could not. */
export type StoreReady = { ready: true } | { ready: false; error: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof UnknownOrgError) return { kind: 'unknownOrg', orgId: error.orgId };
  if (error instanceof ConflictError) return { kind: 'conflict', message: error.message };
  if (error instanceof EnrollmentError) return { kind: 'enrollment', reason: error.reason };
  if (error instanceof DataDirLockedError) {
    return { kind: 'locked', lockPath: error.lockPath, pid: error.pid };
  }
  if (error instanceof FieldError) {
    return { kind: 'field', field: error.field, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError) return { kind: 'range', message };
  if (error instanceof TypeError) return { kind: 'type', message };
  return { kind: 'error', message };
}

export function fromWireError(error: WireError): Error {
  switch (error.kind) {
    case 'unknownOrg':
      return new UnknownOrgError(error.orgId);
    case 'conflict':
      return new ConflictError(error.message);
    case 'enrollment':
      return new EnrollmentError(error.reason);
    case 'locked':
      return new DataDirLockedError(error.lockPath, error.pid);
    case 'field':
      return new FieldError(error.field, error.message);
    case 'range':
      return new RangeError(error.message);
    case 'type':
      return new TypeError(error.message);
    case 'error':
      return new Error(error.message);
  }
}
