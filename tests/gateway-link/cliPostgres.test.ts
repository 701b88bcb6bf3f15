/**
 * The built `byoi-gateway` on a PostgreSQL server: `--database` for serve and for admin,
 * and a bad URL refused with exit code 2 and one line that never shows the password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GATEWAY_BIN,
  runToCompletion,
  spawnJsonProcess,
  type JsonProcess,
} from '../../demo/jsonProcess.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runToCompletion(GATEWAY_BIN, args, env);

describe('byoi-gateway --database', () => {
  it('refuses a malformed URL with exit code 2, masking its password', async () => {
    const { code, stderr } = await run(['--database', 'postgres://u:hunter2@[x/db']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^byoi-gateway: --database: The database URL postgres:\/\/u:\*\*\*@/);
    expect(stderr).not.toContain('hunter2');
    const fromEnv = await run(['admin', 'org', 'list'], { BYOI_DATABASE_URL: 'mysql://db/x' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('must start with postgres://');
  });
});

const available = postgresAvailable();
describe.skipIf(!available.available)(
  `byoi-gateway on PostgreSQL${available.available ? '' : ` (skipped: ${available.reason})`}`,
  () => {
    let server: PostgresServer;
    let url: string;
    let dirs: string[] = [];
    let gateways: JsonProcess<{ url: string }>[] = [];

    beforeAll(async () => {
      server = await startPostgres();
      url = await server.newDatabase();
    });
    afterAll(async () => {
      await Promise.all(gateways.map((gateway) => gateway.stop('SIGKILL')));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await server?.stop();
    });

    it('serves two gateways on one database, and admin opens it directly', async () => {
      dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'byoi-gateway-pg-')));
      gateways = await Promise.all(
        dirs.map((dir) =>
          spawnJsonProcess<{ url: string }>(GATEWAY_BIN, [
            '--json',
            '--port',
            '0',
            '--data-dir',
            dir,
            '--database',
            url,
          ]),
        ),
      );
      const org = await run(['admin', '--database', url, 'org', 'create', 'Shared', '--json']);
      expect(org.code).toBe(0);
      const { id } = JSON.parse(org.stdout) as { id: string };
      const key = await run(['admin', 'key', 'create', '--org', id, '--json'], {
        BYOI_DATABASE_URL: url,
      });
      const secret = (JSON.parse(key.stdout) as { key: string }).key;
      for (const gateway of gateways) {
        const models = await fetch(`${gateway.ready.url}/v1/models`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        expect(models.status).toBe(200);
      }
      for (const gateway of gateways) expect(await gateway.stop('SIGTERM')).toBe(0);
      gateways = [];
    });
  },
);
