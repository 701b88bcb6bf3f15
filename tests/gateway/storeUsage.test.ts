import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../gateway/store/pgliteStore.js';
import { openStoreInWorker } from '../../gateway/store/workerStore.js';
import { storeBackends } from '../support/storeBackends.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { balances, nodePublicKey, stored, usage } from './helpers.js';

/** The serving gateway's store runs on its own thread (the built store-worker.js). */
const WORKER = new URL('../../out/main/store-worker.js', import.meta.url);
const postgres = storeBackends().find((backend) => backend.name === 'PostgreSQL')!;
const stores = {
  'in this thread': () => openStore(null),
  'on its own thread': () => openStoreInWorker(null, WORKER),
  ...(postgres.skip ? {} : { 'on PostgreSQL': () => postgres.open() }),
};
if (postgres.skip) {
  describe.skip(`the store on PostgreSQL (skipped: ${postgres.skip})`, () => {
    it('records usage', () => undefined);
  });
}

describe.each(Object.entries(stores))('the store %s', (_where, open) => {
  let store: GatewayStore;

  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  /** An org with one API key and one enrolled node. */
  async function account(name: string) {
    const org = await store.createOrg(name);
    const { info } = await store.createApiKey(org.id, 'k');
    const { code } = await store.createEnrollmentCode(org.id);
    const node = await store.enrollNode(code, nodePublicKey(), 'n');
    return { orgId: org.id, apiKeyId: info.id, nodeId: node.id };
  }

  describe('usage ledger', () => {
    it('records each job id once and never overwrites it', async () => {
      const a = await account('Once');
      const first = usage('job-once', a, { charged: 1_000, fee: 100 });
      expect(await store.recordUsage(first)).toBe(true);
      expect(
        await store.recordUsage({
          ...first,
          chargedNanos: 9_999,
          feeNanos: 0,
          creditedNanos: 9_999,
        }),
      ).toBe(false);
      expect(await store.usageFor('job-once')).toEqual(stored(first));
      expect(await store.usageFor('job-missing')).toBeNull();
      expect(await store.balances(a.orgId)).toEqual(balances(1_000, 900));
    });

    it('settles concurrent duplicates of one job exactly once', async () => {
      const a = await account('Dupes');
      const record = usage('job-dupe', a, { charged: 500, fee: 5 });
      const results = await Promise.all(Array.from({ length: 6 }, () => store.recordUsage(record)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.balances(a.orgId)).toEqual(balances(500, 495));
    });

    it('refuses rows whose money does not add up or whose key is not the org’s', async () => {
      const a = await account('Strict');
      const b = await account('Stranger');
      const bad = { ...usage('job-bad', a, { charged: 100, fee: 10 }), creditedNanos: 91 };
      await expect(store.recordUsage(bad)).rejects.toThrow(/does not add up/);
      await expect(
        store.recordUsage(usage('job-neg', a, { charged: 10, fee: 20 })),
      ).rejects.toThrow(RangeError);
      const foreign = usage('job-foreign', { ...a, apiKeyId: b.apiKeyId }, { charged: 1, fee: 0 });
      await expect(store.recordUsage(foreign)).rejects.toThrow(/does not belong/);
      await expect(
        store.recordUsage({ ...usage('job-frac', a, { charged: 1, fee: 0 }), promptTokens: 1.5 }),
      ).rejects.toThrow(/promptTokens/);
      expect(await store.usageFor('job-bad')).toBeNull();
      expect(await store.balances(a.orgId)).toEqual(balances(0, 0));
    });

    it('writes a burst in one batch, refusing only its bad rows, and reads see all of it', async () => {
      const a = await account('Burst');
      const b = await account('Other');
      const good = Array.from({ length: 50 }, (_, i) =>
        usage(`job-burst-${i}`, a, { charged: 10, fee: 1 }),
      );
      const foreign = usage('job-burst-x', { ...a, apiKeyId: b.apiKeyId }, { charged: 1, fee: 0 });
      const unknown = usage(
        'job-burst-y',
        { ...a, apiKeyId: 'key_missing' },
        { charged: 1, fee: 0 },
      );
      const results = await Promise.allSettled(
        [...good.slice(0, 25), foreign, good[0]!, unknown, ...good.slice(25)].map((row) =>
          store.recordUsage(row),
        ),
      );
      const outcome = results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'));
      expect(outcome).toEqual([
        ...Array(25).fill(true),
        'refused',
        false, // the same job twice in one batch: the first wins
        'refused',
        ...Array(25).fill(true),
      ]);
      expect(await store.balances(a.orgId)).toEqual(balances(500, 450));
      expect(await store.usageFor('job-burst-x')).toBeNull();
    });

    it('keeps money exact beyond 32 bits', async () => {
      const a = await account('Big');
      const big = 2 ** 40 + 7;
      await store.recordUsage(usage('job-big-1', a, { charged: big, fee: 3 }));
      await store.recordUsage(usage('job-big-2', a, { charged: big, fee: 3 }));
      expect(await store.balances(a.orgId)).toEqual(balances(2 * big, 2 * (big - 3)));
      expect((await store.usageFor('job-big-1'))?.chargedNanos).toBe(big);
    });
  });

  describe('balances', () => {
    it('debits the client’s org and credits the node owner’s org', async () => {
      const client = await account('Client');
      const owner = await account('Owner');
      const both = await account('Both');
      const rows = [
        usage('b-1', { ...client, nodeId: owner.nodeId }, { charged: 1_000, fee: 100 }),
        usage('b-2', { ...client, nodeId: owner.nodeId }, { charged: 333, fee: 33 }),
        usage('b-3', { ...client, nodeId: both.nodeId }, { charged: 50, fee: 5 }),
        usage('b-4', { ...both, nodeId: owner.nodeId }, { charged: 70, fee: 7 }),
        usage('b-5', { ...both, nodeId: both.nodeId }, { charged: 20, fee: 2 }),
        usage('b-6', { ...client, nodeId: null }, { charged: 400, fee: 400 }), // upstream route
      ];
      for (const row of rows) expect(await store.recordUsage(row)).toBe(true);
      expect(await store.balances(client.orgId)).toEqual(balances(1_783, 0));
      expect(await store.balances(owner.orgId)).toEqual(balances(0, 900 + 300 + 63));
      expect(await store.balances(both.orgId)).toEqual(balances(90, 45 + 18));
      expect(await store.balances('org_missing')).toEqual(balances(0, 0));
    });
  });

  describe('listUsage', () => {
    it('lists newest first, filtered by org or node, up to the limit', async () => {
      const client = await account('Lister');
      const owner = await account('Served');
      const at = (minute: number) => `2031-01-01T00:0${minute}:00.000Z`;
      await store.recordUsage(usage('l-1', client, { charged: 1, fee: 0 }, at(1)));
      await store.recordUsage(
        usage('l-2', { ...client, nodeId: owner.nodeId }, { charged: 1, fee: 0 }, at(3)),
      );
      await store.recordUsage(usage('l-3', client, { charged: 1, fee: 0 }, at(2)));
      const ids = (records: { jobId: string }[]) => records.map((r) => r.jobId);
      expect(ids(await store.listUsage({ orgId: client.orgId }))).toEqual(['l-2', 'l-3', 'l-1']);
      expect(ids(await store.listUsage({ orgId: client.orgId, limit: 2 }))).toEqual(['l-2', 'l-3']);
      expect(ids(await store.listUsage({ nodeId: owner.nodeId }))).toEqual(['l-2']);
      expect(ids(await store.listUsage({ orgId: owner.orgId }))).toEqual([]);
      expect((await store.listUsage()).length).toBeGreaterThanOrEqual(3);
      await expect(store.listUsage({ limit: 0 })).rejects.toThrow(/limit/);
    });
  });
});
