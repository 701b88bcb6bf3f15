/** `byoi-gateway admin provider|routing|usage --by|routes|compare` on a data folder's store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../gateway/admin/adminCli.js';
import { directAdminStore, type AdminStore } from '../../gateway/admin/adminStore.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore, NewUsageRecord } from '../../gateway/store/types.js';
import { provider, usage } from './helpers.js';

let store: GatewayStore;
let direct: AdminStore;
let orgId: string;
beforeAll(async () => {
  store = await openStore(null);
  direct = directAdminStore(store);
  orgId = (await store.createOrg('Routing CLI')).id;
});
afterAll(() => store.close());

async function admin(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCommand(
    argv,
    direct,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const words = (line: string) => line.split(' ').filter(Boolean);

async function snapshot() {
  return { providers: await store.listProviders(), rules: await store.listRoutingRules() };
}

const ADD_ALPHA = words(
  'provider add Alpha --base-url http://127.0.0.1:9/v1 --api-key sk-alpha-000011112222 ' +
    '--api-key sk-alpha-333344445555 --model tiny --model gpt-4o-mini=gpt-4o-mini-2024 ' +
    '--price-prompt 0.5 --price-completion 1.5 --cost-prompt 0.3 --cost-completion 1 ' +
    '--max-concurrent 8',
);

describe('providers', () => {
  it('adds, lists with masked keys, disables, enables and removes a provider', async () => {
    const added = await admin(ADD_ALPHA);
    expect(added).toEqual({
      code: 0,
      out: 'Added provider Alpha (http://127.0.0.1:9/v1) with 2 key(s) and 2 model(s).',
      err: '',
    });
    expect(await store.getProvider('Alpha')).toMatchObject({
      apiKeys: ['sk-alpha-000011112222', 'sk-alpha-333344445555'],
      models: { tiny: 'tiny', 'gpt-4o-mini': 'gpt-4o-mini-2024' },
      price: { prompt: 0.5, completion: 1.5 },
      cost: { prompt: 0.3, completion: 1 },
      maxConcurrent: 8,
    });
    const listed = await admin(words('provider list'));
    const lines = listed.out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+BASE URL\s+MODELS\s+PRICE\s+COST\s+MAX\s+STATUS\s+KEYS$/);
    expect(lines[1]).toMatch(
      /^Alpha\s+http:\/\/127\.0\.0\.1:9\/v1\s+tiny,gpt-4o-mini=gpt-4o-mini-2024\s+0\.5\/1\.5\s+0\.3\/1\s+8\s+enabled\s+sk-…2222 active, sk-…5555 active$/,
    );
    const json = await admin(words('provider list --json'));
    expect(json.out).not.toContain('sk-alpha');
    expect(JSON.parse(json.out).data[0]).toMatchObject({
      name: 'Alpha',
      keys: [{ masked: 'sk-…2222', state: 'active', reason: null, restingUntil: null }, {}],
    });
    expect(JSON.parse(json.out).data[0]).not.toHaveProperty('apiKeys');

    expect((await admin(words('provider disable Alpha'))).out).toBe('Disabled provider Alpha.');
    expect((await store.getProvider('Alpha'))?.enabled).toBe(false);
    expect((await admin(words('provider list'))).out).toMatch(/disabled/);
    expect(await admin(words('provider enable Alpha --json'))).toMatchObject({
      code: 0,
      out: JSON.stringify({ name: 'Alpha', enabled: true }, null, 2),
    });
    expect((await admin(words('provider remove Alpha'))).out).toBe('Removed provider Alpha.');
    expect((await admin(words('provider list'))).out).toBe('No providers.');
  });
});

describe('routing rules', () => {
  it('sets, lists and removes rules', async () => {
    await store.addProvider(provider('A'));
    await store.addProvider(provider('B'));
    const set = await admin([
      'routing', 'set', '--org', orgId, '--model', 'tiny', '--strategy', 'balanced',
      '--routes', 'A,B,nodes', '--weights', 'A=3,B=1,nodes=1',
      '--max-price-prompt', '5', '--max-price-completion', '10',
    ]); // prettier-ignore
    expect(set).toEqual({
      code: 0,
      out: `Set the balanced rule for org ${orgId} and model tiny.`,
      err: '',
    });
    expect(
      await admin(['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'fastest']),
    ).toMatchObject({ code: 0 });
    const listed = (await admin(words('routing list'))).out.split('\n');
    expect(listed[0]).toMatch(/^ORG\s+MODEL\s+STRATEGY\s+ROUTES\s+WEIGHTS\s+MAX PRICE\s+UPDATED$/);
    expect(listed[1]).toMatch(/^\*\s+\*\s+fastest\s+all\s+-\s+-\s+\d{4}-/);
    expect(listed[2]).toMatch(
      new RegExp(`^${orgId}\\s+tiny\\s+balanced\\s+A,B,nodes\\s+A=3,B=1,nodes=1\\s+5/10\\s+`),
    );
    const mine = JSON.parse((await admin(['routing', 'list', '--org', orgId, '--json'])).out);
    expect(mine.data).toHaveLength(1);
    expect(
      JSON.parse((await admin(['routing', 'list', '--org', '*', '--json'])).out).data,
    ).toHaveLength(1);
    expect((await admin(['routing', 'remove', '--org', '*', '--model', '*'])).out).toBe(
      'Removed the rule for org * and model *.',
    );
    expect(await admin(['routing', 'remove', '--org', '*', '--model', '*'])).toMatchObject({
      code: 1,
      err: "Error: No routing rule for org '*' and model '*'",
    });
  });
});

describe('malformed admin commands', () => {
  const base = ADD_ALPHA.slice(3); // the flags after 'provider add Alpha'
  const withFlag = (flag: string, value: string) => {
    const at = base.indexOf(flag);
    return [...base.slice(0, at), flag, value, ...base.slice(at + 2)];
  };
  const cases: [string, string[], number, RegExp][] = [
    [
      'bad URL',
      ['provider', 'add', 'X', ...withFlag('--base-url', 'ftp://x')],
      2,
      /baseUrl must be an http\(s\) URL/,
    ],
    [
      'no key',
      ['provider', 'add', 'X', ...base.filter((w) => !w.startsWith('sk-') && w !== '--api-key')],
      2,
      /--api-key KEY is required/,
    ],
    [
      'key with a space',
      ['provider', 'add', 'X', ...withFlag('--api-key', 'sk bad')],
      2,
      /API key 1 must be .*without whitespace/,
    ],
    [
      'bad price',
      ['provider', 'add', 'X', ...withFlag('--price-prompt', 'cheap')],
      2,
      /--price-prompt must be a USD amount/,
    ],
    [
      'price too high',
      ['provider', 'add', 'X', ...withFlag('--price-completion', '5000')],
      2,
      /price\.completion must be a price from 0 to 1000/,
    ],
    [
      'half a cost',
      [
        'provider',
        'add',
        'X',
        ...base.filter(
          (w, i, all) => w !== '--cost-completion' && all[i - 1] !== '--cost-completion',
        ),
      ],
      2,
      /--cost-prompt and --cost-completion go together/,
    ],
    [
      'no model',
      [
        'provider',
        'add',
        'X',
        ...base.filter((w, i, all) => w !== '--model' && all[i - 1] !== '--model'),
      ],
      2,
      /--model ID\[=UPSTREAM_ID\] is required/,
    ],
    [
      'empty upstream id',
      ['provider', 'add', 'X', ...withFlag('--model', 'tiny=')],
      2,
      /--model must look like ID or ID=UPSTREAM_ID/,
    ],
    ['reserved name', ['provider', 'add', 'nodes', ...base], 2, /reserved for node routes/],
    ['bad name', ['provider', 'add', 'a/b', ...base], 2, /Provider name must be/],
    [
      'bad max concurrency',
      ['provider', 'add', 'X', ...withFlag('--max-concurrent', '0')],
      2,
      /--max-concurrent must be a whole number from 1 to 10000/,
    ],
    [
      'duplicate provider',
      ['provider', 'add', 'A', ...base],
      1,
      /A provider named 'A' already exists/,
    ],
    ['unknown provider removal', words('provider remove Nope'), 1, /No provider named 'Nope'/],
    ['unknown provider disable', words('provider disable Nope'), 1, /No provider named 'Nope'/],
    [
      'unknown strategy',
      ['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'random'],
      2,
      /strategy must be one of cheapest, fastest, balanced, pinned/,
    ],
    [
      'unknown route',
      [
        'routing',
        'set',
        '--org',
        '*',
        '--model',
        '*',
        '--strategy',
        'pinned',
        '--routes',
        'A,Ghost',
      ],
      2,
      /Unknown route 'Ghost'/,
    ],
    [
      'pinned without routes',
      ['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'pinned'],
      2,
      /'pinned' strategy needs routes/,
    ],
    [
      'balanced without weights',
      ['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'balanced', '--routes', 'A'],
      2,
      /needs weights/,
    ],
    [
      'bad weights',
      [
        'routing',
        'set',
        '--org',
        '*',
        '--model',
        '*',
        '--strategy',
        'balanced',
        '--weights',
        'A=heavy',
      ],
      2,
      /--weights must look like A=3,B=1/,
    ],
    [
      'zero weight',
      [
        'routing',
        'set',
        '--org',
        '*',
        '--model',
        '*',
        '--strategy',
        'balanced',
        '--weights',
        'A=0',
      ],
      2,
      /weight of 'A' must be a whole number from 1/,
    ],
    [
      'weights not matching routes',
      [
        'routing',
        'set',
        '--org',
        '*',
        '--model',
        '*',
        '--strategy',
        'balanced',
        '--routes',
        'A,B',
        '--weights',
        'A=1',
      ],
      2,
      /Route 'B' has no weight/,
    ],
    [
      'empty route name',
      ['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'pinned', '--routes', 'A,,B'],
      2,
      /--routes must be names separated by commas/,
    ],
    [
      'unknown org',
      ['routing', 'set', '--org', 'org_nope', '--model', '*', '--strategy', 'fastest'],
      1,
      /Unknown organization 'org_nope'/,
    ],
    [
      'no org',
      ['routing', 'set', '--model', '*', '--strategy', 'fastest'],
      2,
      /--org ORG \(or '\*'\) is required/,
    ],
    [
      'two models',
      ['routing', 'set', '--org', '*', '--model', 'a', '--model', 'b', '--strategy', 'fastest'],
      2,
      /--model may be given only once/,
    ],
    [
      'half a max price',
      [
        'routing',
        'set',
        '--org',
        '*',
        '--model',
        '*',
        '--strategy',
        'fastest',
        '--max-price-prompt',
        '1',
      ],
      2,
      /go together/,
    ],
    [
      'provider a rule uses',
      words('provider remove A'),
      1,
      /used by the routing rule for org '.*' and model 'tiny'/,
    ],
    [
      'unknown org list',
      words('routing list --org org_nope'),
      1,
      /Unknown organization 'org_nope'/,
    ],
  ];
  it.each(cases)('%s: a clear error and nothing changes', async (_what, argv, code, message) => {
    const before = await snapshot();
    const result = await admin(argv);
    expect(result.code).toBe(code);
    expect(result.out).toBe('');
    expect(result.err.split('\n')[0]).toMatch(/^Error: /);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(await snapshot()).toEqual(before);
  });
});

describe('usage reports', () => {
  it('prints a report as a table, as CSV and as JSON', async () => {
    const { info } = await store.createApiKey(orgId, 'k');
    const ids = { orgId, apiKeyId: info.id, nodeId: null };
    const record = (jobId: string, overrides: Partial<NewUsageRecord>): NewUsageRecord => ({
      ...usage(jobId, ids, { charged: 1_500_000_001, fee: 1_500_000_001 }, '2037-01-01T00:00:00Z'),
      route: 'A',
      ...overrides,
    });
    await store.recordUsage(
      record('u-1', { timeToFirstTokenMs: 10, latencyMs: 100, costNanos: 7 }),
    );
    await store.recordUsage(record('u-2', { model: 'odd,model', latencyMs: 50 }));

    const text = (await admin(['usage', '--org', orgId, '--by', 'route'])).out.split('\n');
    expect(text[0]).toMatch(
      /^ROUTE\s+REQUESTS\s+ERRORS\s+PROMPT\s+COMPLETION\s+COST\s+UPSTREAM COST\s+TTFT P50\s+TTFT P95\s+LATENCY P50\s+LATENCY P95$/,
    );
    expect(text[1]).toMatch(
      /^A\s+2\s+0\s+20\s+40\s+\$3\.000000002\s+\$0\.000000007\s+10 ms\s+10 ms\s+75 ms\s+98 ms$/,
    );

    const csv = await admin(['usage', '--org', orgId, '--by', 'model', '--format', 'csv']);
    expect(csv.out.split('\n')).toEqual([
      'model,requests,errors,prompt_tokens,completion_tokens,cost_usd,upstream_cost_usd,ttft_p50_ms,ttft_p95_ms,latency_p50_ms,latency_p95_ms',
      '"odd,model",1,0,10,20,1.500000001,0.000000000,,,50,50',
      'tiny,1,0,10,20,1.500000001,0.000000007,10,10,100,100',
    ]);
    const json = JSON.parse(
      (await admin(['usage', '--org', orgId, '--by', 'key', '--format', 'json'])).out,
    );
    expect(json.data).toMatchObject([{ group: info.id, requests: 2, costNanos: 3_000_000_002 }]);
    const since = await admin(['usage', '--org', orgId, '--by', 'key', '--since', '2038-01-01']);
    expect(since.out).toBe('No usage.');
  });

  it.each([
    [['usage', '--org', 'org_x', '--by', 'day'], 2, /--by must be model, route, key, node/],
    [['usage', '--by', 'model'], 2, /--org ID is required/],
    [
      ['usage', '--org', 'org_x', '--by', 'model', '--since', 'yesterday'],
      2,
      /--since must be an ISO time/,
    ],
    [
      ['usage', '--org', 'org_x', '--by', 'model', '--format', 'xml'],
      2,
      /--format must be json or csv/,
    ],
    [
      ['usage', '--org', 'org_x', '--by', 'model', '--format', 'csv', '--json'],
      2,
      /not with --json/,
    ],
    [['usage', '--since', '2030-01-01'], 2, /--since needs --by/],
    [['usage', '--org', 'org_nope', '--by', 'model'], 1, /Unknown organization 'org_nope'/],
  ])('refuses %j', async (argv, code, message) => {
    const result = await admin(argv);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });
});

describe('live commands on a data folder', () => {
  it.each([[['routes']], [['compare', '--org', 'org_x', '--model', 'tiny', '--prompt', 'hi']]])(
    '%j says to use --url',
    async (argv) => {
      const result = await admin(argv);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/needs a running gateway: use --url URL/);
    },
  );
});
