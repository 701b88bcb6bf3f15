/**
 * Rate limits and quotas in the store, on PGlite and on a real PostgreSQL: admission is
 * exact under concurrency (two stores on one PostgreSQL database stand for two gateway
 * instances), a refusal leaves no scope counted, settlement corrects the reservation, and
 * each quota threshold is reported once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/storeBackends.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { AdmissionClaim, ScopeClaim } from '../../gateway/store/policyTypes.js';
import type { GatewayStore } from '../../gateway/store/types.js';

const WINDOW = new Date('2030-01-01T00:00:00.000Z');
const MONTH = '2030-01';

const claim = (scope: string, limits: Partial<ScopeClaim>): ScopeClaim => ({
  scope,
  rpm: null,
  tpm: null,
  monthlyNanos: null,
  monthlyTokens: null,
  ...limits,
});

const admission = (claims: ScopeClaim[], tokens = 10, nanos = 100): AdmissionClaim => ({
  claims,
  tokens,
  nanos,
  windowStart: WINDOW,
  month: MONTH,
});

describeBackends((backend) => {
  let store: GatewayStore;
  let second: GatewayStore;
  let orgId: string;
  let keyId: string;
  beforeAll(async () => {
    const location = await backend.location();
    store = await openStore(location);
    // A second instance on the same database, where there is one to share.
    second = location === null ? store : await openStore(location);
    orgId = (await store.createOrg('Acme')).id;
    keyId = (await store.createApiKey(orgId, 'app')).info.id;
  });
  afterAll(async () => {
    if (second !== store) await second.close();
    await store.close();
  });

  describe('rate windows', () => {
    it('admits exactly rpm of 40 concurrent requests spread over two instances', async () => {
      const scope = claim(`key:${keyId}`, { rpm: 7 });
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? second : store).admit(admission([scope]))),
      );
      expect(outcomes.filter((o) => o.admitted)).toHaveLength(7);
      const refused = outcomes.find((o) => !o.admitted);
      expect(refused).toMatchObject({ admitted: false, refusal: 'requests', scope: scope.scope });
    });

    it('refuses by tokens, and a refusal by the org leaves the key uncounted', async () => {
      const key = claim('key:k-tokens', { tpm: 25 });
      const org = claim('org:o-tokens', { rpm: 1 });
      expect((await store.admit(admission([key, org]))).admitted).toBe(true);
      // The org's one request is taken: the key's count must roll back with it.
      expect(await store.admit(admission([key, org]))).toMatchObject({
        admitted: false,
        scope: 'org:o-tokens',
        refusal: 'requests',
      });
      const alone = await store.admit(admission([key]));
      expect(alone).toMatchObject({ admitted: true, figures: [{ tokens: 20, requests: 2 }] });
      expect(await store.admit(admission([key]))).toMatchObject({
        admitted: false,
        refusal: 'tokens',
      });
    });

    it('corrects the reserved tokens to the real count when a request settles', async () => {
      const key = claim('key:k-settle', { tpm: 100 });
      await store.admit(admission([key], 90));
      await store.settle({
        claims: [key],
        windowStart: WINDOW,
        month: MONTH,
        reservedTokens: 90,
        reservedNanos: 100,
        tokens: 15,
        nanos: 10,
      });
      expect(await store.admit(admission([key], 80))).toMatchObject({
        admitted: true,
        figures: [{ tokens: 95 }],
      });
    });
    it('forgets windows older than the prune point', async () => {
      const key = claim('key:k-prune', { rpm: 1 });
      expect((await store.admit(admission([key]))).admitted).toBe(true);
      expect((await store.admit(admission([key]))).admitted).toBe(false);
      await store.prunePolicy(new Date(WINDOW.getTime() + 1));
      expect((await store.admit(admission([key]))).admitted).toBe(true);
    });
  });

  describe('quotas', () => {
    it('never lets concurrent reservations past the budget, and settles them to the real cost', async () => {
      const quota = claim('key:k-quota', { monthlyNanos: 1000 });
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? second : store).admit(admission([quota], 1, 300)),
        ),
      );
      expect(outcomes.filter((o) => o.admitted)).toHaveLength(3);
      expect(outcomes.find((o) => !o.admitted)).toMatchObject({ refusal: 'quota_usd' });
      const settle = (nanos: number) =>
        store.settle({
          claims: [quota],
          windowStart: WINDOW,
          month: MONTH,
          reservedTokens: 1,
          reservedNanos: 300,
          tokens: 1,
          nanos,
        });
      expect(await settle(250)).toEqual([]);
      expect(await settle(300)).toEqual([]);
      // 850 of 1000 spent: past 80 %, reported once only.
      expect(await settle(300)).toEqual([{ scope: 'key:k-quota', percent: 80, what: 'usd' }]);
      expect(await store.admit(admission([quota], 1, 100))).toMatchObject({ admitted: true });
      expect(await store.admit(admission([quota], 1, 100))).toMatchObject({ admitted: false });
    });

    it('shows a quota with this month’s spent and reserved figures', async () => {
      await store.setQuota({ orgId, keyId, monthlyNanos: 5000, monthlyTokens: null });
      const quota = claim(`key:${keyId}`, { monthlyNanos: 5000 });
      await store.admit(admission([quota], 3, 700));
      expect(await store.quotaStatus(orgId, MONTH)).toEqual([
        expect.objectContaining({
          keyId,
          monthlyNanos: 5000,
          spentNanos: 0,
          reservedNanos: 700,
          reservedTokens: 3,
        }),
      ]);
    });
  });

  it('keeps the audit log in order and append-only', async () => {
    const first = await store.appendAudit({
      actor: 'cli',
      action: 'limits.set',
      target: 'org:x',
      before: null,
      after: { rpm: [1, 2] },
    });
    const next = await second.appendAudit({
      actor: 'cli',
      action: 'quota.set',
      target: 'org:x',
      before: { a: 1 },
      after: null,
    });
    expect(next.seq).toBeGreaterThan(first.seq);
    const entries = await store.listAudit({});
    expect(entries.slice(-2)).toEqual([first, next]);
    expect(first.after).toEqual({ rpm: [1, 2] });
  });
});
