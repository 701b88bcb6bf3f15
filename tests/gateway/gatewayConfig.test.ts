/** `serve --config FILE`: loading, environment substitution, errors that name the field, apply. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyGatewayConfig,
  GatewayConfigError,
  loadGatewayConfig,
} from '../../gateway/config/gatewayConfig.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { tempDir } from './helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

const CONFIG = `
providers:
  - name: A
    baseUrl: http://127.0.0.1:9000/v1
    apiKeys: [sk-1, "\${OPENAI_KEY}"]
    models: { tiny: tiny, gpt-4o-mini: gpt-4o-mini-2024 }
    price: { prompt: 0.5, completion: 1.5 }
    cost: { prompt: 0.3, completion: 1.0 }
    maxConcurrent: 16
  - name: B
    baseUrl: "http://\${B_HOST}:9001/v1"
    apiKeys: [sk-b]
    models: [tiny, big]
    price: { prompt: 1, completion: 2 }
routing:
  - org: "*"
    model: "*"
    strategy: pinned
    routes: [A, B, nodes]
    maxPrice: { prompt: 5, completion: 10 }
  - org: "*"
    model: tiny
    strategy: balanced
    routes: [A, B]
    weights: { A: 3, B: 1 }
`;
const ENV = { OPENAI_KEY: 'sk-from-env', B_HOST: '127.0.0.2' };

async function file(text: string, name = 'gateway.yaml'): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, text);
  return path;
}

describe('loadGatewayConfig', () => {
  it('reads providers and rules, with ${ENV} substituted and defaults filled in', async () => {
    const path = await file(CONFIG);
    const config = loadGatewayConfig(path, ENV);
    expect(config.providers).toEqual([
      {
        name: 'A',
        baseUrl: 'http://127.0.0.1:9000/v1',
        apiKeys: ['sk-1', 'sk-from-env'],
        models: { tiny: 'tiny', 'gpt-4o-mini': 'gpt-4o-mini-2024' },
        price: { prompt: 0.5, completion: 1.5 },
        cost: { prompt: 0.3, completion: 1 },
        maxConcurrent: 16,
      },
      {
        name: 'B',
        baseUrl: 'http://127.0.0.2:9001/v1',
        apiKeys: ['sk-b'],
        models: { tiny: 'tiny', big: 'big' },
        price: { prompt: 1, completion: 2 },
        cost: null,
        maxConcurrent: 64,
      },
    ]);
    expect(config.rules).toEqual([
      {
        orgId: '*',
        model: '*',
        strategy: 'pinned',
        routes: ['A', 'B', 'nodes'],
        weights: null,
        maxPrice: { prompt: 5, completion: 10 },
      },
      {
        orgId: '*',
        model: 'tiny',
        strategy: 'balanced',
        routes: ['A', 'B'],
        weights: { A: 3, B: 1 },
        maxPrice: null,
      },
    ]);
    expect(loadGatewayConfig(await file('', 'empty.yaml'), {})).toMatchObject({
      providers: [],
      rules: [],
    });
  });

  it('names a missing environment variable, the file and the field', async () => {
    const path = await file(CONFIG);
    expect(() => loadGatewayConfig(path, { B_HOST: 'h' })).toThrow(
      new GatewayConfigError(
        `${path}: providers[0].apiKeys[1]: the environment variable OPENAI_KEY is not set`,
      ),
    );
  });

  it.each([
    [
      'baseUrl: http://127.0.0.1:9000/v1',
      'baseUrl: ftp://x',
      /providers\[0\]\.baseUrl: baseUrl must be an http\(s\) URL/,
    ],
    [
      'maxConcurrent: 16',
      'maxConcurrent: 0',
      /providers\[0\]\.maxConcurrent: maxConcurrent must be/,
    ],
    [
      'maxConcurrent: 16',
      'maxConcurrent: lots',
      /providers\[0\]\.maxConcurrent: Invalid input: expected number/,
    ],
    [
      'cost: { prompt: 0.3, completion: 1.0 }',
      'cost: { prompt: -1, completion: 1.0 }',
      /providers\[0\]\.cost\.prompt: cost\.prompt must be a price/,
    ],
    [
      '    apiKeys: [sk-b]',
      '    apiKeys: []',
      /providers\[1\]\.apiKeys: A provider needs 1 to 16 API keys/,
    ],
    ['  - name: B', '  - name: nodes', /providers\[1\]\.name: Provider name 'nodes' is reserved/],
    ['  - name: B', '  - name: A', /providers\[1\]\.name: provider 'A' is listed twice/],
    ['strategy: pinned', 'strategy: random', /routing\[0\]\.strategy: Invalid option/],
    [
      '    weights: { A: 3, B: 1 }',
      '    weights: { A: 3 }',
      /routing\[1\]\.weights: Route 'B' has no weight/,
    ],
    [
      '    weights: { A: 3, B: 1 }',
      '    weights: { A: 3, B: 0 }',
      /routing\[1\]\.weights\.B: The weight of 'B'/,
    ],
    ['    routes: [A, B, nodes]\n', '', /routing\[0\]\.routes: The 'pinned' strategy needs routes/],
    [
      '    model: tiny',
      '    model: "*"',
      /routing\[1\]: a rule for org '\*' and model '\*' is listed twice/,
    ],
    [
      '    maxConcurrent: 16',
      '    maxConcurrent: 16\n    color: blue',
      /providers\[0\]: Unrecognized key: "color"/,
    ],
  ])('names the bad field: %s → %s', async (from, to, message) => {
    expect(CONFIG).toContain(from);
    const path = await file(CONFIG.replace(from, to));
    let error: unknown;
    try {
      loadGatewayConfig(path, ENV);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('names a top-level field of the wrong type', async () => {
    const path = await file('routing: 42\n');
    expect(() => loadGatewayConfig(path, {})).toThrow(
      `${path}: routing: Invalid input: expected array, received number`,
    );
  });

  it('says which file is unreadable or not YAML', async () => {
    const missing = join(dir.path, 'missing.yaml');
    expect(() => loadGatewayConfig(missing, {})).toThrow(
      new RegExp(`Could not read the gateway config ${missing}`),
    );
    const broken = await file('providers: [\n', 'broken.yaml');
    expect(() => loadGatewayConfig(broken, {})).toThrow(new RegExp(`^${broken}: not valid YAML`));
  });
});

describe('applyGatewayConfig', () => {
  let store: GatewayStore;
  beforeEach(async () => {
    store = await openStore(null);
  });
  afterEach(() => store.close());

  it('writes providers and rules, and applying again changes nothing', async () => {
    const config = loadGatewayConfig(await file(CONFIG), ENV);
    expect(await applyGatewayConfig(store, config)).toEqual({ providers: 2, rules: 2 });
    const first = { providers: await store.listProviders(), rules: await store.listRoutingRules() };
    expect(first.providers.map((p) => [p.name, p.apiKeys])).toEqual([
      ['A', ['sk-1', 'sk-from-env']],
      ['B', ['sk-b']],
    ]);
    expect(first.rules.map((r) => [r.orgId, r.model, r.strategy])).toEqual([
      ['*', '*', 'pinned'],
      ['*', 'tiny', 'balanced'],
    ]);
    await applyGatewayConfig(store, config);
    expect({
      providers: await store.listProviders(),
      rules: await store.listRoutingRules(),
    }).toEqual(first);
    // An admin's disable survives a restart that applies the file again.
    await store.setProviderEnabled('B', false);
    await applyGatewayConfig(store, config);
    expect((await store.getProvider('B'))?.enabled).toBe(false);
  });

  it('refuses an unknown org or route before writing anything', async () => {
    const org = await file(
      CONFIG.replace('  - org: "*"\n    model: tiny', '  - org: org_nope\n    model: tiny'),
    );
    await expect(applyGatewayConfig(store, loadGatewayConfig(org, ENV))).rejects.toThrow(
      /routing\[1\]\.org: unknown organization 'org_nope'/,
    );
    const route = await file(CONFIG.replace('routes: [A, B, nodes]', 'routes: [A, Ghost]'));
    await expect(applyGatewayConfig(store, loadGatewayConfig(route, ENV))).rejects.toThrow(
      /routing\[0\]\.routes: unknown route 'Ghost'/,
    );
    expect(await store.listProviders()).toEqual([]);
    expect(await store.listRoutingRules()).toEqual([]);
  });
});
