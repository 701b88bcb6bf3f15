import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_HELP,
  runAdminCommand,
  type AdminStoreSource,
} from '../../gateway/admin/adminCli.js';
import { formatUsd } from '../../gateway/admin/adminFormat.js';
import { directAdminStore, type AdminStore } from '../../gateway/admin/adminStore.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { balances, nodePublicKey, usage } from './helpers.js';

let store: GatewayStore;
let direct: AdminStore;
beforeAll(async () => {
  store = await openStore(null);
  direct = directAdminStore(store);
});
afterAll(() => store.close());

/** Runs a command line; returns its exit code and what it printed. */
async function admin(line: string | string[], source: AdminStoreSource = direct) {
  const out: string[] = [];
  const err: string[] = [];
  const argv = typeof line === 'string' ? line.split(' ').filter(Boolean) : line;
  const code = await runAdminCommand(
    argv,
    source,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  for (const l of [...out, ...err]) expect(l).not.toMatch(/\n\s+at /); // never a stack trace
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function json<T>(line: string): Promise<T> {
  const result = await admin(`${line} --json`);
  expect(result).toMatchObject({ code: 0, err: '' });
  return JSON.parse(result.out) as T;
}

describe('help and command-line mistakes', () => {
  it('prints help for --help, -h and help, and on stderr with exit 2 for nothing', async () => {
    for (const line of ['--help', '-h', 'help', 'key create --help']) {
      expect(await admin(line)).toEqual({ code: 0, out: ADMIN_HELP.trimEnd(), err: '' });
    }
    expect(await admin([])).toMatchObject({
      code: 2,
      out: '',
      err: expect.stringContaining('Usage:'),
    });
  });

  it.each([
    ['frobnicate', /Unknown command 'frobnicate'/],
    ['org delete x', /Unknown command 'org delete x'/],
    ['org list --bogus', /Unknown option '--bogus'/],
    ['org list --ttl 5', /'org list' has no option --ttl/],
    ['org create', /'org create' takes NAME, got none/],
    ['org create Acme Labs', /'org create' takes NAME, got 'Acme Labs'/],
    ['key create', /--org ID is required/],
    ['key create --org', /argument missing/],
    ['balance', /--org ID is required/],
    ['enroll-code create --org org_x --ttl 0', /--ttl must be a whole number from 1/],
    ['enroll-code create --org org_x --ttl 1.5', /--ttl must be a whole number/],
    ['key create --org org_x --rate-limit lots', /--rate-limit must be a whole number/],
    ['usage --limit 0', /--limit must be a whole number from 1 to 10000/],
  ])('refuses `%s` with exit 2', async (line, message) => {
    const result = await admin(line);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/Run 'byoi-gateway admin help' for usage\./);
  });

  it('refuses a value the store rejects with exit 2', async () => {
    const result = await admin(['org', 'create', 'x'.repeat(200)]);
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/1 to 128 characters/) });
  });

  it('opens a lazily given store only for a valid command, and closes it', async () => {
    let opened = 0;
    let closed = 0;
    const source = async () => {
      opened++;
      return { ...direct, close: async () => void closed++ };
    };
    expect((await admin('org nope', source)).code).toBe(2);
    expect(opened).toBe(0);
    expect((await admin('org list', source)).code).toBe(0);
    expect([opened, closed]).toEqual([1, 1]);
  });
});

describe('organizations and keys', () => {
  it('creates and lists organizations as text and JSON', async () => {
    const created = await admin(['org', 'create', 'Acme Labs']);
    expect(created).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Created organization org_\S+ \(Acme Labs\)\.$/),
    });
    const org = await json<{ id: string; name: string }>('org create Beta');
    expect(org.name).toBe('Beta');
    const { data } = await json<{ data: { id: string }[] }>('org list');
    expect(data.map((o) => o.id)).toContain(org.id);
    const text = (await admin('org list')).out.split('\n');
    expect(text[0]).toMatch(/^ID\s+NAME\s+CREATED$/);
    expect(text.some((l) => l.startsWith(org.id) && l.includes('Beta'))).toBe(true);
  });

  it('shows a new key’s secret once, lists and revokes keys', async () => {
    const org = await json<{ id: string }>('org create Keys');
    const created = await admin(`key create --org ${org.id} --name ci --rate-limit 120`);
    expect(created.code).toBe(0);
    const secret = created.out.split('\n').at(-1)!;
    expect(secret).toMatch(/^byoi-sk-/);
    expect(created.out).toMatch(/shown only this once/);
    const info = await store.authenticateApiKey(secret);
    expect(info).toMatchObject({ orgId: org.id, name: 'ci', rateLimitPerMinute: 120 });

    const viaJson = await json<{ key: string; info: { id: string } }>(`key create --org ${org.id}`);
    expect((await store.authenticateApiKey(viaJson.key))?.id).toBe(viaJson.info.id);

    const listed = await admin(`key list --org ${org.id}`);
    expect(listed.out).toContain(info!.id);
    expect(listed.out).not.toContain(secret);
    expect(listed.out).toMatch(/\b120\b.*active/);

    expect(await admin(`key revoke ${info!.id}`)).toMatchObject({
      code: 0,
      out: `Revoked API key ${info!.id}.`,
    });
    expect(await store.authenticateApiKey(secret)).toBeNull();
    expect((await admin(`key list --org ${org.id}`)).out).toMatch(/revoked \d{4}-/);
    expect(await admin('key revoke key_nope')).toMatchObject({
      code: 1,
      err: "Error: No API key with id 'key_nope'",
    });
  });

  it('fails with exit 1 for an unknown organization', async () => {
    for (const line of [
      'key create --org org_nope',
      'key list --org org_nope',
      'node list --org org_nope',
      'enroll-code create --org org_nope',
      'usage --org org_nope',
      'balance --org org_nope',
    ]) {
      expect(await admin(line)).toEqual({
        code: 1,
        out: '',
        err: "Error: Unknown organization 'org_nope'",
      });
    }
  });

  it('says so when a list is empty', async () => {
    const org = await json<{ id: string }>('org create Empty');
    expect((await admin(`key list --org ${org.id}`)).out).toBe('No API keys.');
    expect((await admin(`node list --org ${org.id}`)).out).toBe('No nodes.');
    expect((await admin(`usage --org ${org.id}`)).out).toBe('No usage.');
  });
});

describe('nodes, usage and balances', () => {
  it('creates an enrollment code that enrolls a node, then lists and revokes it', async () => {
    const org = await json<{ id: string }>('org create Farm');
    const made = await json<{ code: string; expiresAt: string; orgId: string }>(
      `enroll-code create --org ${org.id} --ttl 60`,
    );
    expect(made.orgId).toBe(org.id);
    expect(Date.parse(made.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const text = await admin(`enroll-code create --org ${org.id}`);
    expect(text.out).toMatch(
      /^Enrollment code for org_\S+, single use, valid until \S+:\nbyoi-enroll-\S+$/,
    );

    const node = await store.enrollNode(made.code, nodePublicKey(), 'rig');
    expect((await admin(`node list --org ${org.id}`)).out).toMatch(
      new RegExp(`${node.id}.*rig.*active`),
    );
    expect((await json<{ data: unknown[] }>(`node list --org ${org.id}`)).data).toEqual([node]);
    await store.recordNodeFault(node.id, 'stall', 'silent', 2);
    await store.recordNodeFault(node.id, 'stall', 'silent', 2);
    expect((await admin(`node list --org ${org.id}`)).out).toMatch(
      new RegExp(`${node.id}.*quarantined \\S+\\s+stall×2`),
    );
    expect((await admin(`node clear ${node.id}`)).out).toBe(
      `Cleared the faults of node ${node.id}; it gets offers again.`,
    );
    expect(await store.nodeByPublicKey(node.publicKey)).toMatchObject({
      quarantinedAt: null,
      faults: [],
    });
    expect((await admin('node clear node_nope')).code).toBe(1);
    expect(await admin(`node revoke ${node.id} --json`)).toMatchObject({
      code: 0,
      out: expect.stringContaining('"revoked": true'),
    });
    expect((await store.nodeByPublicKey(node.publicKey))?.revokedAt).not.toBeNull();
    expect((await admin('node revoke node_nope')).code).toBe(1);
  });

  it('shows usage newest first, filtered and limited, and balances in dollars', async () => {
    const client = await json<{ id: string }>('org create Client');
    const owner = await json<{ id: string }>('org create Owner');
    const key = await store.createApiKey(client.id, 'k');
    const node = await store.enrollNode(
      (await store.createEnrollmentCode(owner.id)).code,
      nodePublicKey(),
      'n',
    );
    const ids = { orgId: client.id, apiKeyId: key.info.id, nodeId: node.id };
    await store.setNodeRewards(node.id, {
      split: { rewards: 50, exchange: 25, mission: 25 },
      missionCause: 'Open Source',
    });
    await store.recordUsage(
      usage('cli-1', ids, { charged: 450_000, fee: 22_500 }, '2032-01-01T00:00:00.000Z'),
    );
    await store.recordUsage(
      usage('cli-2', ids, { charged: 1_500_000_001, fee: 1 }, '2032-01-02T00:00:00.000Z'),
    );

    const lines = (await admin(`usage --org ${client.id}`)).out.split('\n');
    expect(lines[0]).toMatch(
      /^TIME\s+JOB\s+ORG\s+KEY\s+NODE\s+MODEL\s+TOKENS\s+CHARGED\s+FEE\s+CREDITED$/,
    );
    expect(lines[1]).toMatch(/cli-2 .*10\+20\s+\$1\.500000001\s+\$0\.000000001\s+\$1\.500000000$/);
    expect(lines[2]).toMatch(/cli-1 .*\$0\.000450000\s+\$0\.000022500\s+\$0\.000427500$/);
    const limited = await json<{ data: { jobId: string }[] }>(`usage --node ${node.id} --limit 1`);
    expect(limited.data.map((r) => r.jobId)).toEqual(['cli-2']);

    expect((await admin(`balance --org ${client.id}`)).out.split('\n')).toEqual([
      `${client.id} (Client)`,
      'spent       $1.500450001',
      'earned      $0.000000000',
      '  rewards   $0.000000000',
      '  exchange  $0.000000000',
      '  mission   $0.000000000',
    ]);
    // The owner's node shares 50/25/25: each job's credit is cut, the causes listed.
    expect((await admin(`balance --org ${owner.id}`)).out.split('\n')).toEqual([
      `${owner.id} (Owner)`,
      'spent            $0.000000000',
      'earned           $1.500427500',
      '  rewards        $0.750213750',
      '  exchange       $0.375106875',
      '  mission        $0.375106875',
      '    Open Source  $0.375106875',
    ]);
    expect(await json(`balance --org ${owner.id}`)).toEqual({
      orgId: owner.id,
      spentNanos: 0,
      earnedNanos: 1_500_000_000 + 427_500,
      rewardsNanos: 750_000_000 + 213_750,
      exchangeNanos: 375_000_000 + 106_875,
      missionNanos: 375_000_000 + 106_875,
      missionByCause: { 'Open Source': 375_000_000 + 106_875 },
    });
    expect(await json(`balance --org ${client.id}`)).toEqual({
      orgId: client.id,
      ...balances(1_500_450_001, 0),
    });
  });
});

describe('formatUsd', () => {
  it('writes nano-USD exactly with nine decimals', () => {
    expect(formatUsd(0)).toBe('$0.000000000');
    expect(formatUsd(1)).toBe('$0.000000001');
    expect(formatUsd(1_000_000_000)).toBe('$1.000000000');
    expect(formatUsd(123_456_789_012_345)).toBe('$123456.789012345');
    expect(formatUsd(-5)).toBe('-$0.000000005');
  });
});
