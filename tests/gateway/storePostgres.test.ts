/**
 * What only a PostgreSQL server shows: several gateways on one database, whose transactions
 * really run side by side (PGlite runs one at a time). Each test gets databases of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../gateway/store/migrations.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import { openPostgresDb } from '../../gateway/store/postgresDb.js';
import { ConflictError, EnrollmentError, type GatewayStore } from '../../gateway/store/types.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { nodePublicKey, provider, usage } from './helpers.js';

const available = postgresAvailable();
const title = available.available
  ? 'several gateways on one PostgreSQL database'
  : `several gateways on one PostgreSQL database (skipped: ${available.reason})`;

describe.skipIf(!available.available)(title, () => {
  let server: PostgresServer;
  const open: GatewayStore[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(open.map((store) => store.close()));
    await server?.stop();
  });

  /** `count` stores opened at once on one fresh database. */
  async function gateways(count: number): Promise<GatewayStore[]> {
    const url = await server.newDatabase();
    const stores = await Promise.all(Array.from({ length: count }, () => openStore(url)));
    open.push(...stores);
    return stores;
  }

  it('migrates concurrently without error, each migration once', async () => {
    const url = await server.newDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url)));
    open.push(...stores);
    const db = await openPostgresDb(url);
    try {
      const { rows } = await db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      // Every gateway sees one database: what one writes, another reads.
      const org = await stores[0]!.createOrg('Shared');
      expect(await stores[3]!.getOrg(org.id)).toEqual(org);
    } finally {
      await db.close();
    }
  });

  it('refuses a database from a newer gateway, touching nothing', async () => {
    const db = await openPostgresDb(await server.newDatabase());
    try {
      expect(await migrate(db)).toBe(SCHEMA_VERSION);
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
      await expect(migrate(db)).rejects.toThrow(/schema version 99, newer than this gateway/);
    } finally {
      await db.close();
    }
  });

  it('finishes pending operations on close, then refuses new ones', async () => {
    const store = await openStore(await server.newDatabase());
    const pending = store.createOrg('In flight');
    const closing = store.close();
    expect(store.close()).toBe(closing);
    await closing;
    expect((await pending).name).toBe('In flight');
    await expect(store.listOrgs()).rejects.toThrow(/closed/);
  });

  it('lets exactly one of two concurrent enrollments with one code win', async () => {
    const [a, b] = await gateways(2);
    const org = await a!.createOrg('Race');
    for (let round = 0; round < 5; round++) {
      const { code } = await a!.createEnrollmentCode(org.id);
      const results = await Promise.allSettled([
        a!.enrollNode(code, nodePublicKey(), 'a'),
        b!.enrollNode(code, nodePublicKey(), 'b'),
        a!.enrollNode(code, nodePublicKey(), 'a2'),
      ]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.flatMap((result) =>
        result.status === 'rejected' ? [result.reason] : [],
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const error of lost) {
        expect(error).toBeInstanceOf(EnrollmentError);
        expect((error as EnrollmentError).reason).toBe('used');
      }
    }
    expect(await b!.listNodes(org.id)).toHaveLength(5);
  });

  it('enrolls one public key once when two codes race for it', async () => {
    const [a, b] = await gateways(2);
    const org = await a!.createOrg('Key race');
    const key = nodePublicKey();
    const [first, second] = await Promise.all([
      a!.createEnrollmentCode(org.id),
      a!.createEnrollmentCode(org.id),
    ]);
    const results = await Promise.allSettled([
      a!.enrollNode(first.code, key, 'a'),
      b!.enrollNode(second.code, key, 'b'),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((result) => result.status === 'rejected');
    expect((lost?.reason as EnrollmentError).reason).toBe('key_in_use');
  });

  it('writes each job once when two gateways record the same jobs at once', async () => {
    const [a, b] = await gateways(2);
    const org = await a!.createOrg('Usage race');
    const { info } = await a!.createApiKey(org.id, 'k');
    const ids = { orgId: org.id, apiKeyId: info.id, nodeId: null };
    const jobs = Array.from(
      { length: 1000 },
      (_, index) => `job-${String(index).padStart(4, '0')}`,
    );
    const record = (store: GatewayStore, order: string[]) =>
      Promise.all(order.map((job) => store.recordUsage(usage(job, ids, { charged: 10, fee: 10 }))));
    // Opposite orders: without a fixed lock order these two batches would deadlock.
    const [fromA, fromB] = await Promise.all([record(a!, jobs), record(b!, [...jobs].reverse())]);
    const written = jobs.map((_, i) => Number(fromA[i]) + Number(fromB[jobs.length - 1 - i]));
    expect(written).toEqual(jobs.map(() => 1));
    expect(await a!.listUsage({ orgId: org.id, limit: 1000 })).toHaveLength(jobs.length);
  });

  it('counts concurrent faults exactly and quarantines a node once', async () => {
    const [a, b] = await gateways(2);
    const org = await a!.createOrg('Faults');
    const { code } = await a!.createEnrollmentCode(org.id);
    const node = await a!.enrollNode(code, nodePublicKey(), 'rig');
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 ? a! : b!).recordNodeFault(node.id, 'stall', `stall ${index}`, 5),
      ),
    );
    expect(outcomes.map((outcome) => outcome!.total).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
    expect(outcomes.filter((outcome) => outcome!.newlyQuarantined)).toHaveLength(1);
  });

  it('never leaves a rule naming a provider removed at the same time', async () => {
    const [a, b] = await gateways(2);
    const org = await a!.createOrg('Rules');
    for (let round = 0; round < 5; round++) {
      const name = `Up${round}`;
      await a!.addProvider(provider(name));
      const [set, removed] = await Promise.allSettled([
        a!.setRoutingRule({
          orgId: org.id,
          model: 'tiny',
          strategy: 'pinned',
          routes: [name],
          weights: null,
          maxPrice: null,
        }),
        b!.removeProvider(name),
      ]);
      const rule = (await a!.listRoutingRules(org.id)).find((r) => r.model === 'tiny');
      const providerLeft = (await a!.getProvider(name)) !== null;
      if (set.status === 'fulfilled') {
        // The rule won: the removal was refused, and the provider is still there.
        expect(removed.status === 'rejected' && removed.reason instanceof ConflictError).toBe(true);
        expect(rule?.routes).toEqual([name]);
        expect(providerLeft).toBe(true);
        await a!.removeRoutingRule(org.id, 'tiny');
      } else {
        expect(removed).toEqual({ status: 'fulfilled', value: true });
        expect(providerLeft).toBe(false);
        expect(rule?.routes ?? []).not.toContain(name);
      }
    }
  });

  it('never shows the password of a URL it cannot open', async () => {
    const error = await openStore(
      `postgres://gateway:s3cret-pw@127.0.0.1:${new URL(server.url).port}/no_such_db`,
    ).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('postgres://gateway:***@127.0.0.1');
    expect((error as Error).message).not.toContain('s3cret-pw');
    expect(String((error as Error).stack)).not.toContain('s3cret-pw');
  });
});
