/**
 * The built `byoi-gateway` CLI as a child process: the `--json` ready line, the admin token
 * file (mode 0600), admin commands against the running gateway over `--url`, and a clean
 * exit on SIGTERM.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GATEWAY_BIN,
  runToCompletion,
  spawnJsonProcess,
  type JsonProcess,
} from '../../demo/jsonProcess.js';

const run = (args: string[]) => runToCompletion(GATEWAY_BIN, args);

describe('byoi-gateway --help', () => {
  it('explains every flag', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--admin-token',
      '--fee-bps',
      '--max-price',
      '--heartbeat-ms',
      '--market-interval-ms',
      '--json',
      '--log-level',
      '--url',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it('exits 2 for an unknown flag', async () => {
    const { code, stderr } = await run(['--nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--help/);
  });
});

describe('byoi-gateway serve', () => {
  let dir: string;
  let gateway: JsonProcess<{ event: string; url: string; pid: number; adminTokenFile: string }>;
  let ready: typeof gateway.ready;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byoi-gateway-cli-'));
    gateway = await spawnJsonProcess(GATEWAY_BIN, ['--json', '--port', '0', '--data-dir', dir]);
    ready = gateway.ready;
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints one ready line and keeps the admin token in a private file', () => {
    expect(ready).toMatchObject({
      event: 'ready',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      pid: gateway.child.pid,
    });
    expect(ready.adminTokenFile.startsWith(dir)).toBe(true);
    expect(statSync(ready.adminTokenFile).mode & 0o777).toBe(0o600);
  });

  it('runs admin commands against the running gateway over --url', async () => {
    const admin = (...args: string[]) =>
      run(['admin', '--url', ready.url, '--data-dir', dir, ...args, '--json']);
    const org = await admin('org', 'create', 'Acme');
    expect(org.code).toBe(0);
    const { id } = JSON.parse(org.stdout) as { id: string };
    const key = await admin('key', 'create', '--org', id);
    expect(key.code).toBe(0);
    const secret = (JSON.parse(key.stdout) as { key: string }).key;
    const code = await admin('enroll-code', 'create', '--org', id);
    expect(JSON.parse(code.stdout)).toMatchObject({
      code: expect.stringMatching(/^byoi-enroll-/),
      orgId: id,
    });

    const models = await fetch(`${ready.url}/v1/models`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await models.json()).toEqual({ object: 'list', data: [] });
    const prices = await fetch(`${ready.url}/v1/network/prices`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await prices.json()).toEqual({ object: 'list', at: expect.any(String), data: [] });

    const balance = await admin('balance', '--org', id);
    expect(JSON.parse(balance.stdout)).toEqual({
      orgId: id,
      spentNanos: 0,
      earnedNanos: 0,
      rewardsNanos: 0,
      exchangeNanos: 0,
      missionNanos: 0,
      missionByCause: {},
    });

    const missing = await admin('key', 'create', '--org', 'org_missing');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/org_missing/);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await gateway.stop('SIGTERM')).toBe(0);
  });
});
