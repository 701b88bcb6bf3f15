/**
 * A fresh data folder starts from the prebuilt database image (out/main/pgdata.tgz, made by
 * `npm run build`) instead of initdb; it must still end up with the whole schema, keep what
 * is written, and fall back to initdb where there is no image.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../gateway/store/migrations.js';
import { PGDATA_IMAGE_FILE, unpackPgdataImage } from '../../gateway/store/pgdataImage.js';
import { buildPgdataImage } from '../../gateway/store/pgdataImageBuild.js';
import { DATABASE_FOLDER, openStore } from '../../gateway/store/pgliteStore.js';
import { tempDir } from './helpers.js';

const BUILT_IMAGE = fileURLToPath(new URL(`../../out/main/${PGDATA_IMAGE_FILE}`, import.meta.url));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

/** The schema version and databases of a closed store's folder. */
async function inspect(dataDir: string): Promise<{ version: number; databases: string[] }> {
  const db = await PGlite.create(join(dataDir, DATABASE_FOLDER));
  try {
    const version = await db.query<{ version: number }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const databases = await db.query<{ datname: string }>(
      'SELECT datname FROM pg_database ORDER BY datname',
    );
    return { version: version.rows[0]!.version, databases: databases.rows.map((r) => r.datname) };
  } finally {
    await db.close();
  }
}

describe('the prebuilt database image', () => {
  it('gives a fresh folder the whole schema, and what is written survives a restart', async () => {
    expect(existsSync(BUILT_IMAGE), `${BUILT_IMAGE} (npm run build makes it)`).toBe(true);
    const first = await openStore(dir.path, { image: BUILT_IMAGE });
    const org = await first.createOrg('From the image');
    const { key, info } = await first.createApiKey(org.id, 'k');
    await first.close();
    // initdb would have made the template databases; the image has none.
    expect(await inspect(dir.path)).toEqual({ version: SCHEMA_VERSION, databases: ['postgres'] });

    const second = await openStore(dir.path, { image: BUILT_IMAGE });
    try {
      expect(await second.listOrgs()).toEqual([org]);
      expect(await second.authenticateApiKey(key)).toEqual(info);
    } finally {
      await second.close();
    }
  });

  it('is migrated on open when it was built before the newest migration', async () => {
    const image = join(dir.path, 'old.tgz');
    await writeFile(image, await buildPgdataImage(MIGRATIONS.slice(0, -1)));
    const dataDir = join(dir.path, 'data');
    const store = await openStore(dataDir, { image });
    const org = await store.createOrg('Migrated');
    expect(await store.getOrg(org.id)).toEqual(org);
    await store.close();
    expect((await inspect(dataDir)).version).toBe(SCHEMA_VERSION);
  });

  it('falls back to initdb where the image file is missing', async () => {
    const store = await openStore(dir.path, { image: join(dir.path, 'missing.tgz') });
    await store.createOrg('Initdb');
    await store.close();
    const { version, databases } = await inspect(dir.path);
    expect(version).toBe(SCHEMA_VERSION);
    expect(databases).toContain('template1');
  });

  it('is never unpacked over a folder that already holds files', async () => {
    const folder = join(dir.path, DATABASE_FOLDER);
    await mkdir(folder);
    await writeFile(join(folder, 'something'), 'kept');
    expect(unpackPgdataImage(BUILT_IMAGE, folder)).toBe(false);
    expect(existsSync(join(folder, 'PG_VERSION'))).toBe(false);
    expect(unpackPgdataImage(BUILT_IMAGE, join(dir.path, 'empty'))).toBe(true);
    expect(existsSync(join(dir.path, 'empty', 'PG_VERSION'))).toBe(true);
  });
});
