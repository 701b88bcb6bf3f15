/** Usage rows with request fields, and the usage report grouped four ways. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentileCont } from '../../gateway/market/marketPrices.js';
import { describeBackends } from '../support/storeBackends.js';
import {
  UnknownOrgError,
  type GatewayStore,
  type NewUsageRecord,
} from '../../gateway/store/types.js';
import { nodePublicKey, stored, usage } from './helpers.js';

let store: GatewayStore;
let ids: { orgId: string; apiKeyId: string; nodeId: string };
let otherKey: string;

let serial = 0;
/** A row of a request: a node job by default, or an upstream one. */
function row(overrides: Partial<NewUsageRecord> = {}, at = '2034-03-01T00:00:00.000Z') {
  return { ...usage(`rep-${++serial}`, ids, { charged: 1_000, fee: 100 }, at), ...overrides };
}
const upstream = (name: string, overrides: Partial<NewUsageRecord> = {}) =>
  row({ route: name, nodeId: null, feeNanos: 1_000, creditedNanos: 0, ...overrides });
describeBackends((backend) => {
  beforeAll(async () => {
    store = await backend.open();
    const org = await store.createOrg('Report');
    const { info } = await store.createApiKey(org.id, 'k');
    otherKey = (await store.createApiKey(org.id, 'k2')).info.id;
    const { code } = await store.createEnrollmentCode(org.id);
    const node = await store.enrollNode(code, nodePublicKey(), 'n');
    ids = { orgId: org.id, apiKeyId: info.id, nodeId: node.id };
  });
  afterAll(() => store.close());

  describe('usage rows', () => {
    it('stores request fields, with defaults for rows without them', async () => {
      const full = upstream('A', {
        requestId: 'req-full',
        costNanos: 600,
        timeToFirstTokenMs: 12.5,
        latencyMs: 80,
        attempts: 3,
        routes: 'B,A',
      });
      await store.recordUsage(full);
      expect(await store.usageFor(full.jobId)).toEqual(stored(full));
      const bare = row();
      await store.recordUsage(bare);
      expect(await store.usageFor(bare.jobId)).toMatchObject({
        requestId: bare.jobId,
        costNanos: 0,
        timeToFirstTokenMs: null,
        latencyMs: null,
        attempts: 1,
        outcome: 'ok',
        routes: '',
      });
    });

    it('records a failed request with no tokens and no money', async () => {
      const failed = upstream('A', {
        outcome: 'error',
        promptTokens: 0,
        completionTokens: 0,
        chargedNanos: 0,
        feeNanos: 0,
        latencyMs: 5,
        attempts: 2,
      });
      expect(await store.recordUsage(failed)).toBe(true);
      expect((await store.usageFor(failed.jobId))?.outcome).toBe('error');
    });

    it.each<[Partial<NewUsageRecord>, RegExp]>([
      [{ costNanos: -1 }, /costNanos/],
      [{ attempts: 0 }, /attempts/],
      [{ outcome: 'maybe' as never }, /outcome must be 'ok' or 'error'/],
      [{ latencyMs: -3 }, /latencyMs/],
      [{ timeToFirstTokenMs: Infinity }, /timeToFirstTokenMs/],
      [{ requestId: '' }, /requestId/],
    ])('refuses %j', async (overrides, message) => {
      const bad = row(overrides);
      await expect(store.recordUsage(bad)).rejects.toThrow(message);
      expect(await store.usageFor(bad.jobId)).toBeNull();
    });

    it('leaves failed node requests out of the market prices', async () => {
      const since = new Date('2035-01-01T00:00:00.000Z');
      const at = '2035-01-02T00:00:00.000Z';
      const model = 'market-only';
      await store.recordUsage(row({ model, price: { prompt: 1, completion: 2 } }, at));
      await store.recordUsage(
        row(
          {
            model,
            price: { prompt: 9, completion: 9 },
            outcome: 'error',
            chargedNanos: 0,
            feeNanos: 0,
            creditedNanos: 0,
          },
          at,
        ),
      );
      const market = (await store.recentPrices(since)).find((m) => m.id === model);
      expect(market).toMatchObject({ id: model, samples: 1, prompt: { median: 1 } });
    });
  });

  describe('usageReport', () => {
    it('groups by model, route, key and node, with percentiles and time filters', async () => {
      const org = await store.createOrg('Grouped');
      const key = (await store.createApiKey(org.id, 'g')).info.id;
      const mine = { orgId: org.id, apiKeyId: key, nodeId: ids.nodeId };
      const at = (day: number) => `2036-01-0${day}T00:00:00.000Z`;
      const rows: NewUsageRecord[] = [];
      const add = (overrides: Partial<NewUsageRecord>, day = 1) =>
        rows.push({
          ...usage(`g-${++serial}`, mine, { charged: 1_000, fee: 100 }, at(day)),
          ...overrides,
        });
      // Node requests on 'tiny': one continued stream (two jobs, one request).
      add({ requestId: 'r1', timeToFirstTokenMs: 10, latencyMs: 100 });
      add({ requestId: 'r1', timeToFirstTokenMs: 10, latencyMs: 100 });
      add({ requestId: 'r2', timeToFirstTokenMs: 30, latencyMs: 300 }, 2);
      // Upstream 'A' on 'big': two served, one failed.
      const upstreamRow = {
        route: 'A',
        nodeId: null,
        feeNanos: 1_000,
        creditedNanos: 0,
        model: 'big',
      };
      add({ ...upstreamRow, costNanos: 400, timeToFirstTokenMs: 20, latencyMs: 200 });
      add({ ...upstreamRow, costNanos: 600, timeToFirstTokenMs: 40, latencyMs: 400 }, 3);
      add({
        ...upstreamRow,
        outcome: 'error',
        promptTokens: 0,
        completionTokens: 0,
        chargedNanos: 0,
        feeNanos: 0,
        latencyMs: 50,
      });
      for (const record of rows) expect(await store.recordUsage(record)).toBe(true);

      const byRoute = await store.usageReport({ orgId: org.id, by: 'route' });
      const latencies = [200, 400, 50];
      expect(byRoute).toEqual([
        {
          group: 'A',
          requests: 3,
          errors: 1,
          promptTokens: 20,
          completionTokens: 40,
          costNanos: 2_000,
          upstreamCostNanos: 1_000,
          ttftP50Ms: 30,
          ttftP95Ms: percentileCont([20, 40], 0.95),
          latencyP50Ms: 200,
          latencyP95Ms: percentileCont(
            [...latencies].sort((a, b) => a - b),
            0.95,
          ),
        },
        {
          group: 'node',
          requests: 2,
          errors: 0,
          promptTokens: 30,
          completionTokens: 60,
          costNanos: 3_000,
          upstreamCostNanos: 0,
          ttftP50Ms: 10,
          ttftP95Ms: percentileCont([10, 10, 30], 0.95),
          latencyP50Ms: 100,
          latencyP95Ms: percentileCont([100, 100, 300], 0.95),
        },
      ]);
      expect((await store.usageReport({ orgId: org.id, by: 'model' })).map((r) => r.group)).toEqual(
        ['big', 'tiny'],
      );
      expect(await store.usageReport({ orgId: org.id, by: 'node' })).toMatchObject([
        { group: '-', requests: 3 },
        { group: ids.nodeId, requests: 2 },
      ]);
      expect(await store.usageReport({ orgId: org.id, by: 'key' })).toMatchObject([
        { group: key, requests: 5, errors: 1 },
      ]);
      // since is inclusive, until exclusive: day 2 only.
      const dayTwo = await store.usageReport({
        orgId: org.id,
        by: 'route',
        since: at(2),
        until: at(3),
      });
      expect(dayTwo).toMatchObject([
        { group: 'node', requests: 1, ttftP50Ms: 30, latencyP95Ms: 300 },
      ]);
      expect(await store.usageReport({ orgId: org.id, by: 'route', since: at(4) })).toEqual([]);
    });

    it('answers null percentiles for rows without timings, and other orgs’ rows stay out', async () => {
      await store.recordUsage({
        ...usage('solo', { ...ids, apiKeyId: otherKey }, { charged: 5, fee: 5 }),
        model: 'solo',
      });
      const report = await store.usageReport({ orgId: ids.orgId, by: 'model' });
      expect(report.find((r) => r.group === 'solo')).toMatchObject({
        requests: 1,
        ttftP50Ms: null,
        ttftP95Ms: null,
        latencyP50Ms: null,
        latencyP95Ms: null,
      });
      expect(report.map((r) => r.group)).not.toContain('big'); // the Grouped org's model
    });

    it('refuses a bad grouping, bad times and an unknown org', async () => {
      const orgId = ids.orgId;
      await expect(store.usageReport({ orgId, by: 'day' as never })).rejects.toThrow(
        /by must be one of model, route, key, node/,
      );
      await expect(store.usageReport({ orgId, by: 'model', since: 'yesterday' })).rejects.toThrow(
        /since must be an ISO time/,
      );
      await expect(
        store.usageReport({ orgId, by: 'model', since: '2030-02-01', until: '2030-01-01' }),
      ).rejects.toThrow(/since must not be after until/);
      await expect(store.usageReport({ orgId: 'org_nope', by: 'model' })).rejects.toEqual(
        new UnknownOrgError('org_nope'),
      );
    });
  });
});
