import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/storeBackends.js';
import { EnrollmentError, UnknownOrgError, type GatewayStore } from '../../gateway/store/types.js';
import { nodePublicKey } from './helpers.js';

const ID = /^[A-Za-z0-9_-]+$/;
let store: GatewayStore;
let clock = new Date('2030-01-01T00:00:00.000Z');

async function enrollError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnrollmentError);
  return (error as EnrollmentError).reason;
}
describeBackends((backend) => {
  beforeAll(async () => {
    store = await backend.open({ now: () => clock });
  });
  afterAll(() => store.close());

  describe('organizations', () => {
    it('creates, lists and finds organizations with url-safe random ids', async () => {
      const a = await store.createOrg('  Acme Labs ');
      const b = await store.createOrg('Beta');
      expect(a).toEqual({
        id: expect.stringMatching(/^org_/),
        name: 'Acme Labs',
        createdAt: clock.toISOString(),
      });
      expect(a.id.slice(4)).toMatch(ID);
      expect(a.id).not.toBe(b.id);
      const ids = (await store.listOrgs()).map((org) => org.id);
      expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(await store.getOrg(a.id)).toEqual(a);
      expect(await store.getOrg('org_missing')).toBeNull();
    });

    it('refuses empty or overlong names', async () => {
      await expect(store.createOrg('   ')).rejects.toThrow(/Organization name must be 1 to 128/);
      await expect(store.createOrg('x'.repeat(129))).rejects.toThrow(RangeError);
      await expect(store.createOrg('a\nb')).rejects.toThrow(/control characters/);
    });
  });

  describe('API keys', () => {
    it('returns the secret once and authenticates it while it is not revoked', async () => {
      const org = await store.createOrg('Keys');
      const { key, info } = await store.createApiKey(org.id, 'ci', 60);
      expect(key).toMatch(/^byoi-sk-[A-Za-z0-9_-]{43}$/);
      expect(info).toEqual({
        id: expect.stringMatching(/^key_[A-Za-z0-9_-]+$/),
        orgId: org.id,
        name: 'ci',
        rateLimitPerMinute: 60,
        createdAt: clock.toISOString(),
        revokedAt: null,
      });
      expect(JSON.stringify(info)).not.toContain(key);
      expect(await store.authenticateApiKey(key)).toEqual(info);
      expect(await store.authenticateApiKey(key + 'x')).toBeNull();
      expect(await store.authenticateApiKey('byoi-sk-nope')).toBeNull();
      expect(await store.authenticateApiKey('Bearer ' + key)).toBeNull();

      const revokedAt = clock.toISOString();
      expect(await store.revokeApiKey(info.id)).toBe(true);
      expect(await store.authenticateApiKey(key)).toBeNull();
      clock = new Date(clock.getTime() + 1000);
      expect(await store.revokeApiKey(info.id)).toBe(true); // idempotent, keeps the first time
      expect((await store.listApiKeys(org.id))[0]?.revokedAt).toBe(revokedAt);
      expect(await store.revokeApiKey('key_missing')).toBe(false);
    });

    it('lists keys per organization, defaulting the rate limit to null', async () => {
      const org = await store.createOrg('Listing');
      const other = await store.createOrg('Other');
      const one = await store.createApiKey(org.id, 'one');
      const two = await store.createApiKey(org.id, '', null);
      await store.createApiKey(other.id, 'elsewhere');
      expect(one.info.rateLimitPerMinute).toBeNull();
      expect((await store.listApiKeys(org.id)).map((k) => k.id).sort()).toEqual(
        [one.info.id, two.info.id].sort(),
      );
      expect((await store.listApiKeys()).length).toBeGreaterThanOrEqual(3);
    });

    it('refuses an unknown organization and bad rate limits', async () => {
      await expect(store.createApiKey('org_missing', 'x')).rejects.toBeInstanceOf(UnknownOrgError);
      const org = await store.createOrg('Limits');
      await expect(store.createApiKey(org.id, 'x', 0)).rejects.toThrow(/rateLimitPerMinute/);
      await expect(store.createApiKey(org.id, 'x', 1.5)).rejects.toThrow(RangeError);
    });
  });

  describe('enrollment', () => {
    it('binds a node to the code’s organization once', async () => {
      const org = await store.createOrg('Farm');
      const { code, expiresAt } = await store.createEnrollmentCode(org.id, 600);
      expect(code).toMatch(/^byoi-enroll-[A-Za-z0-9_-]{24}$/);
      expect(expiresAt).toBe(new Date(clock.getTime() + 600_000).toISOString());
      const publicKey = nodePublicKey();
      const node = await store.enrollNode(code, publicKey, 'rig-1');
      expect(node).toEqual({
        id: expect.stringMatching(/^node_[A-Za-z0-9_-]+$/),
        orgId: org.id,
        name: 'rig-1',
        publicKey,
        enrolledAt: clock.toISOString(),
        revokedAt: null,
        quarantinedAt: null,
        faults: [],
      });
      expect(await store.nodeByPublicKey(publicKey)).toEqual(node);
      expect(await enrollError(store.enrollNode(code, nodePublicKey(), 'rig-2'))).toBe('used');
      expect(await store.listNodes(org.id)).toEqual([node]);
    });

    it('lets exactly one of many concurrent enrollments with one code win', async () => {
      const org = await store.createOrg('Race');
      const { code } = await store.createEnrollmentCode(org.id);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.enrollNode(code, nodePublicKey(), `racer-${i}`)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as EnrollmentError).reason)).toEqual(Array(7).fill('used'));
      expect(await store.listNodes(org.id)).toHaveLength(1);
    });

    it('refuses unknown and expired codes', async () => {
      const org = await store.createOrg('Expiry');
      expect(await enrollError(store.enrollNode('byoi-enroll-unknown', nodePublicKey(), ''))).toBe(
        'unknown',
      );
      expect(await enrollError(store.enrollNode('garbage', nodePublicKey(), ''))).toBe('unknown');
      const { code } = await store.createEnrollmentCode(org.id, 60);
      clock = new Date(clock.getTime() + 60_000);
      expect(await enrollError(store.enrollNode(code, nodePublicKey(), ''))).toBe('expired');
      expect(await store.listNodes(org.id)).toEqual([]);
    });

    it('refuses a key that is already enrolled without using up the code', async () => {
      const org = await store.createOrg('Twice');
      const publicKey = nodePublicKey();
      await store.enrollNode((await store.createEnrollmentCode(org.id)).code, publicKey, 'first');
      const { code } = await store.createEnrollmentCode(org.id);
      expect(await enrollError(store.enrollNode(code, publicKey, 'again'))).toBe('key_in_use');
      const other = await store.enrollNode(code, nodePublicKey(), 'second');
      expect(other.name).toBe('second');
    });

    it('checks the public key and organization', async () => {
      const org = await store.createOrg('Checks');
      const { code } = await store.createEnrollmentCode(org.id);
      await expect(store.enrollNode(code, 'bm90IGEga2V5', 'x')).rejects.toThrow(/32-byte Ed25519/);
      await expect(store.createEnrollmentCode('org_missing')).rejects.toBeInstanceOf(
        UnknownOrgError,
      );
      await expect(store.createEnrollmentCode(org.id, 0)).rejects.toThrow(/ttlSeconds/);
      expect((await store.enrollNode(code, nodePublicKey(), 'x')).orgId).toBe(org.id); // not consumed
    });

    it('revokes nodes but still finds them by key, so the link can refuse them', async () => {
      const org = await store.createOrg('Revoke');
      const publicKey = nodePublicKey();
      const node = await store.enrollNode(
        (await store.createEnrollmentCode(org.id)).code,
        publicKey,
        'n',
      );
      expect(await store.revokeNode(node.id)).toBe(true);
      expect((await store.nodeByPublicKey(publicKey))?.revokedAt).toBe(clock.toISOString());
      expect(await store.revokeNode('node_missing')).toBe(false);
      expect(await store.nodeByPublicKey(nodePublicKey())).toBeNull();
    });
  });
});
