import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../gateway/store/migrations.js';
import { DATABASE_FOLDER, DataDirLockedError, openStore } from '../../gateway/store/pgliteStore.js';
import { EnrollmentError } from '../../gateway/store/types.js';
import { balances, nodePublicKey, stored, tempDir, usage } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/storeChild.ts', import.meta.url));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

/** Starts the child script with tsx; resolves with it and its first stdout line. */
async function startChild(mode: 'crash' | 'hold', dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]!);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before a line`)),
    );
  });
  return { child, line: await firstLine };
}

/** Every file under `folder`, concatenated. */
async function allBytes(folder: string): Promise<Buffer> {
  const names = await readdir(folder, { recursive: true });
  const parts: Buffer[] = [];
  for (const name of names) {
    const path = join(folder, name);
    if ((await stat(path)).isFile()) parts.push(await readFile(path));
  }
  return Buffer.concat(parts);
}

describe('on disk', () => {
  it('keeps everything across a close and reopen', async () => {
    const first = await openStore(dir.path);
    const org = await first.createOrg('Persistent');
    const { key, info } = await first.createApiKey(org.id, 'k', 30);
    const { code } = await first.createEnrollmentCode(org.id);
    const node = await first.enrollNode(code, nodePublicKey(), 'rig');
    const revoked = await first.createApiKey(org.id, 'old');
    await first.revokeApiKey(revoked.info.id);
    const record = usage(
      'job-disk',
      { orgId: org.id, apiKeyId: info.id, nodeId: node.id },
      { charged: 77, fee: 7 },
    );
    await first.recordUsage(record);
    await first.close();

    const second = await openStore(dir.path);
    try {
      expect(await second.listOrgs()).toEqual([org]);
      expect(await second.authenticateApiKey(key)).toEqual(info);
      expect(await second.authenticateApiKey(revoked.key)).toBeNull();
      expect(await second.listNodes()).toEqual([node]);
      await expect(second.enrollNode(code, nodePublicKey(), 'again')).rejects.toEqual(
        new EnrollmentError('used'),
      );
      expect(await second.usageFor('job-disk')).toEqual(stored(record));
      expect(await second.recordUsage(record)).toBe(false);
      expect(await second.balances(org.id)).toEqual(balances(77, 70));
    } finally {
      await second.close();
    }
  });

  it('stores only hashes of API keys and enrollment codes', async () => {
    const store = await openStore(dir.path);
    const org = await store.createOrg('Hashes');
    const { key } = await store.createApiKey(org.id, 'k');
    const { code } = await store.createEnrollmentCode(org.id);
    await store.close();
    const bytes = await allBytes(dir.path);
    const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
    expect(bytes.includes(Buffer.from('Hashes'))).toBe(true); // the scan does see row data
    expect(bytes.includes(Buffer.from(hash(key)))).toBe(true);
    expect(bytes.includes(Buffer.from(key.slice('byoi-sk-'.length)))).toBe(false);
    expect(bytes.includes(Buffer.from(code.slice('byoi-enroll-'.length)))).toBe(false);
  });

  it('loses nothing committed when the process is killed without closing', async () => {
    const { child, line } = await startChild('crash', dir.path);
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    expect(child.signalCode).toBe('SIGKILL');
    const { orgId } = JSON.parse(line) as { orgId: string };
    const store = await openStore(dir.path); // takes over the dead process's lock
    try {
      expect((await store.getOrg(orgId))?.name).toBe('written before the crash');
    } finally {
      await store.close();
    }
  });

  it('refuses a folder another live process has open, with a clear error', async () => {
    const { child, line } = await startChild('hold', dir.path);
    expect(line).toBe('ready');
    const error = await openStore(dir.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).pid).toBe(child.pid);
    expect((error as Error).message).toMatch(
      /in use by another process .*admin HTTP API.*pgdata\.lock/,
    );
    const exited = once(child, 'exit');
    child.stdin.end();
    expect((await exited)[0]).toBe(0);
    const store = await openStore(dir.path);
    await store.close();
  });

  it('refuses a second open in the same process until the first closes', async () => {
    const first = await openStore(dir.path);
    await expect(openStore(dir.path)).rejects.toBeInstanceOf(DataDirLockedError);
    await first.close();
    const second = await openStore(dir.path);
    await second.close();
  });

  it('takes over a lock file left by a dead process', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await writeFile(join(dir.path, 'pgdata.lock'), `${dead.pid}\n`);
    const store = await openStore(dir.path);
    expect(await store.listOrgs()).toEqual([]);
    await store.close();
  });
});

describe('lifecycle and migrations', () => {
  it('finishes pending operations on close, then refuses new ones', async () => {
    const store = await openStore(null);
    const pending = store.createOrg('In flight');
    const closing = store.close();
    expect(store.close()).toBe(closing); // one close, however often asked
    await closing;
    expect((await pending).name).toBe('In flight');
    await expect(store.listOrgs()).rejects.toThrow(/closed/);
    await store.close(); // idempotent
  });

  it('migrates once and refuses a database from a newer gateway', async () => {
    const db = await PGlite.create();
    try {
      expect(await migrate(db)).toBe(SCHEMA_VERSION);
      expect(await migrate(db)).toBe(SCHEMA_VERSION);
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await db.query("INSERT INTO orgs VALUES ('org_kept', 'Kept', now())");
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
      await expect(migrate(db)).rejects.toThrow(/schema version 99, newer than this gateway/);
      expect((await db.query('SELECT id FROM orgs')).rows).toEqual([{ id: 'org_kept' }]);
    } finally {
      await db.close();
    }
  });
});

describe('migration 3: providers, rules and request fields', () => {
  it('keeps rows of a version 2 database, filling in the request fields', async () => {
    const path = join(dir.path, DATABASE_FOLDER);
    const old = await PGlite.create(path);
    expect(await migrate(old, MIGRATIONS.slice(0, 2))).toBe(2);
    await old.exec(`
      INSERT INTO orgs VALUES ('org_old', 'Old', '2029-01-01T00:00:00Z');
      INSERT INTO api_keys (id, org_id, name, secret_sha256, created_at)
        VALUES ('key_old', 'org_old', 'k', 'hash', '2029-01-01T00:00:00Z');
      INSERT INTO usage_records (job_id, org_id, api_key_id, node_id, route, model,
        prompt_tokens, completion_tokens, price_prompt, price_completion, charged_nanos,
        fee_nanos, credited_nanos, created_at, rewards_nanos)
        VALUES ('job_old', 'org_old', 'key_old', NULL, 'upstream', 'tiny', 3, 4, 0.5, 1.5, 10,
          10, 0, '2029-01-02T00:00:00Z', 0);
    `);
    await old.close();

    const store = await openStore(dir.path);
    try {
      expect(await store.usageFor('job_old')).toMatchObject({
        jobId: 'job_old',
        requestId: 'job_old',
        costNanos: 0,
        timeToFirstTokenMs: null,
        latencyMs: null,
        attempts: 1,
        outcome: 'ok',
        routes: '',
        chargedNanos: 10,
      });
      expect(await store.usageReport({ orgId: 'org_old', by: 'model' })).toMatchObject([
        { group: 'tiny', requests: 1, errors: 0, promptTokens: 3, costNanos: 10 },
      ]);
      expect(await store.listProviders()).toEqual([]);
      expect(await store.listRoutingRules()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
