/**
 * The response cache's store functions on PGlite in memory and on PostgreSQL: TTL with an injected clock,
 * least-recently-hit eviction by size, isolation between organizations, oversize refused.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migrate } from '../../gateway/store/migrations.js';
import { openPostgresDb } from '../../gateway/store/postgresDb.js';
import type { SqlDb } from '../../gateway/store/sql.js';
import { describeBackends } from '../support/storeBackends.js';
import {
  cacheUsage,
  DEFAULT_CACHE_LIMITS,
  findCached,
  purgeExpiredCached,
  storeCached,
} from '../../gateway/store/responseCache.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const key = (n: number) => n.toString(16).padStart(64, '0');
/** A body whose JSON is exactly `bytes` bytes long. */
const bodyOf = (bytes: number) => ({ t: 'x'.repeat(bytes - 8) });

let db: SqlDb;

describeBackends((backend) => {
  beforeAll(async () => {
    const url = await backend.location();
    db = url === null ? await PGlite.create() : await openPostgresDb(url);
    await migrate(db);
    await db.exec(`
    INSERT INTO orgs VALUES ('org_a', 'A', now());
    INSERT INTO orgs VALUES ('org_b', 'B', now());
  `);
  });

  beforeEach(async () => {
    await db.exec('DELETE FROM response_cache');
  });

  afterAll(async () => {
    await db.close();
  });

  it('finds what was stored until it expires, and no longer', async () => {
    const body = { v: 1, content: 'héllo', nested: { list: [1, 'two', null] } };
    expect(await storeCached(db, 'org_a', key(1), body, 60, T0)).toBe(true);
    expect(await findCached(db, 'org_a', [key(1)], at(59))).toEqual({ key: key(1), body });
    expect(await findCached(db, 'org_a', [key(1)], at(60))).toBeNull();
    expect(await findCached(db, 'org_a', [key(2)], at(1))).toBeNull();
    expect(await findCached(db, 'org_a', [], at(1))).toBeNull();
  });

  it('gives the first hit among several keys, in their order', async () => {
    await storeCached(db, 'org_a', key(1), { n: 1 }, 60, T0);
    await storeCached(db, 'org_a', key(2), { n: 2 }, 60, T0);
    expect(await findCached(db, 'org_a', [key(9), key(2), key(1)], at(1))).toEqual({
      key: key(2),
      body: { n: 2 },
    });
    expect(await findCached(db, 'org_a', [key(1), key(2)], at(1))).toEqual({
      key: key(1),
      body: { n: 1 },
    });
  });

  it('replaces an entry stored again under its key, with a new TTL', async () => {
    await storeCached(db, 'org_a', key(1), { n: 1 }, 10, T0);
    await storeCached(db, 'org_a', key(1), { n: 2 }, 100, at(5));
    expect(await findCached(db, 'org_a', [key(1)], at(50))).toEqual({
      key: key(1),
      body: { n: 2 },
    });
    expect(await cacheUsage(db, 'org_a')).toEqual({ entries: 1, bytes: 7 });
  });

  it('keeps each organization to its own entries', async () => {
    await storeCached(db, 'org_a', key(1), { org: 'a' }, 60, T0);
    expect(await findCached(db, 'org_b', [key(1)], at(1))).toBeNull();
    await storeCached(db, 'org_b', key(1), { org: 'b' }, 60, T0);
    expect((await findCached(db, 'org_a', [key(1)], at(1)))?.body).toEqual({ org: 'a' });
    expect((await findCached(db, 'org_b', [key(1)], at(1)))?.body).toEqual({ org: 'b' });
  });

  it('evicts the least recently hit entries beyond the organization cap', async () => {
    const limits = { maxEntryBytes: 1000, maxOrgBytes: 300 };
    expect(JSON.stringify(bodyOf(100)).length).toBe(100);
    await storeCached(db, 'org_a', key(1), bodyOf(100), 600, at(0), limits);
    await storeCached(db, 'org_a', key(2), bodyOf(100), 600, at(1), limits);
    await storeCached(db, 'org_a', key(3), bodyOf(100), 600, at(2), limits);
    // Hitting the oldest makes the second the least recently hit.
    expect(await findCached(db, 'org_a', [key(1)], at(3))).not.toBeNull();
    // Another org's entries neither count nor go.
    await storeCached(db, 'org_b', key(7), bodyOf(100), 600, at(3), limits);
    await storeCached(db, 'org_a', key(4), bodyOf(100), 600, at(4), limits);
    const present = async (org: string, n: number) =>
      (await findCached(db, org, [key(n)], at(5))) !== null;
    expect(await present('org_a', 2)).toBe(false);
    expect(await present('org_a', 1)).toBe(true);
    expect(await present('org_a', 3)).toBe(true);
    expect(await present('org_a', 4)).toBe(true);
    expect(await present('org_b', 7)).toBe(true);
    expect(await cacheUsage(db, 'org_a')).toEqual({ entries: 3, bytes: 300 });
    // A large entry pushes out as many as it needs, and is kept itself.
    await storeCached(db, 'org_a', key(5), bodyOf(250), 600, at(6), limits);
    expect(await cacheUsage(db, 'org_a')).toEqual({ entries: 1, bytes: 250 });
    expect(await present('org_a', 5)).toBe(true);
  });

  it('drops expired entries when it stores, and in a sweep', async () => {
    await storeCached(db, 'org_a', key(1), { n: 1 }, 10, T0);
    await storeCached(db, 'org_b', key(1), { n: 1 }, 10, T0);
    await storeCached(db, 'org_a', key(2), { n: 2 }, 10, at(20));
    expect(await cacheUsage(db, 'org_a')).toEqual({ entries: 1, bytes: 7 });
    expect(await cacheUsage(db, 'org_b')).toEqual({ entries: 1, bytes: 7 });
    expect(await purgeExpiredCached(db, at(20))).toBe(1);
    expect(await cacheUsage(db, 'org_b')).toEqual({ entries: 0, bytes: 0 });
  });

  it('refuses an entry over the entry cap, or with no TTL', async () => {
    const limits = { maxEntryBytes: 100, maxOrgBytes: 1000 };
    expect(await storeCached(db, 'org_a', key(1), bodyOf(101), 60, T0, limits)).toBe(false);
    expect(await storeCached(db, 'org_a', key(1), bodyOf(100), 0, T0, limits)).toBe(false);
    expect(await cacheUsage(db, 'org_a')).toEqual({ entries: 0, bytes: 0 });
    expect(await storeCached(db, 'org_a', key(1), bodyOf(100), 60, T0, limits)).toBe(true);
    expect(DEFAULT_CACHE_LIMITS.maxEntryBytes).toBeLessThan(DEFAULT_CACHE_LIMITS.maxOrgBytes);
  });
});
