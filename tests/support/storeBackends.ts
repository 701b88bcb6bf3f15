/**
 * The store's two backends for `describe.each`: PGlite in memory, and a real PostgreSQL
 * server (one per test file, started when a test first needs it, stopped after the file),
 * where every store opened gets a database of its own.
 */
import { afterAll, describe } from 'vitest';
import { openStore, type StoreOptions } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres.js';

export interface StoreBackend {
  name: 'PGlite' | 'PostgreSQL';
  /** Why this backend's tests skip here, or false. */
  skip: string | false;
  /** A fresh database: null (PGlite in memory) or a PostgreSQL URL. */
  location(): Promise<string | null>;
  /** A store on a fresh database. */
  open(options?: StoreOptions): Promise<GatewayStore>;
}

/**
 * Call once at the top of a test file: the backends, and an afterAll that stops the file's
 * PostgreSQL server if one was started. PostgreSQL is skipped, saying why, where the
 * binaries are absent.
 */
export function storeBackends(): StoreBackend[] {
  const available = postgresAvailable();
  let server: Promise<PostgresServer> | undefined;
  afterAll(async () => {
    if (server) await (await server).stop();
  });
  const postgresLocation = async () => (await (server ??= startPostgres())).newDatabase();
  return [
    {
      name: 'PGlite',
      skip: false,
      location: () => Promise.resolve(null),
      open: (options) => openStore(null, options),
    },
    {
      name: 'PostgreSQL',
      skip: available.available ? false : available.reason,
      location: postgresLocation,
      open: async (options) => openStore(await postgresLocation(), options),
    },
  ];
}

/**
 * Runs `suite` once per backend, in a describe named for it ("on PostgreSQL"); a backend
 * that cannot run here is skipped, and its name says why.
 */
export function describeBackends(suite: (backend: StoreBackend) => void): void {
  for (const backend of storeBackends()) {
    const title = `on ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`;
    describe.skipIf(backend.skip !== false)(title, () => suite(backend));
  }
}
