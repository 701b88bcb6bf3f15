import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkProvider,
  HealthChecker,
  type HealthResult,
} from '../../gateway/upstream/healthCheck.js';
import { ProviderRoutes } from '../../gateway/upstream/providerRoutes.js';
import { UpstreamRoute } from '../../gateway/upstream/upstreamRoute.js';
import {
  FakeUpstream,
  gate,
  providerRecord,
  recordingSink,
  upstreamJob,
} from '../support/fakeUpstream.js';
import { ManualTimers } from '../support/manualTimers.js';

let upstream: FakeUpstream;
const cleanUp: Array<() => void> = [];

beforeEach(async () => {
  upstream = await FakeUpstream.start();
});

afterEach(async () => {
  for (const step of cleanUp.splice(0)) step();
  await upstream.close();
});

const KEY_A = 'sk-health-aaaa1111';
const KEY_B = 'sk-health-bbbb2222';

function route(keys = [KEY_A, KEY_B]): UpstreamRoute {
  const made = new UpstreamRoute(providerRecord(upstream.baseUrl, { apiKeys: keys }));
  cleanUp.push(() => made.retire());
  return made;
}

describe('checkProvider', () => {
  it('asks GET /models with a key, never for a completion', async () => {
    const result = await checkProvider(route(), 1000);
    expect(result).toMatchObject({ ok: true, error: null });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(
      upstream.calls.map((call) => [call.method, call.path, call.headers.authorization]),
    ).toEqual([['GET', '/v1/models', `Bearer ${KEY_A}`]]);
  });

  it('disables a refused key and checks on with the next one', async () => {
    const r = route();
    upstream.script((call) => call.json(401, { error: { message: `bad key ${KEY_A}` } }));
    expect((await checkProvider(r, 1000)).ok).toBe(true);
    expect(r.keyStates().map((key) => key.state)).toEqual(['disabled', 'active']);
    expect(upstream.calls.map((call) => call.headers.authorization)).toEqual([
      `Bearer ${KEY_A}`,
      `Bearer ${KEY_B}`,
    ]);
    upstream.script((call) => call.json(403, {}));
    expect(await checkProvider(r, 1000)).toEqual({
      ok: false,
      error: 'no usable key',
      latencyMs: 0,
    });
    expect(r.capacity('m')).toBe('unavailable');
  });

  it('reports a provider error and a timeout', async () => {
    const r = route([KEY_A]);
    upstream.script((call) => call.json(502, { error: { message: 'bad gateway' } }));
    expect(await checkProvider(r, 1000)).toMatchObject({
      ok: false,
      error: 'HTTP 502: bad gateway',
    });
    const held = gate();
    upstream.script(() => held.promise);
    const slow = await checkProvider(r, 50);
    expect(slow).toMatchObject({ ok: false, error: 'no answer within 50 ms' });
    await upstream.calls[1]!.closed;
    held.open();
  });
});

describe('HealthChecker', () => {
  it('checks every route each interval, with unref timers, until closed', async () => {
    const timers = new ManualTimers();
    const a = route();
    const b = route();
    const results: Array<[UpstreamRoute, HealthResult]> = [];
    const checked: UpstreamRoute[] = [];
    const checker = new HealthChecker({
      routes: () => [a, b],
      intervalMs: 10_000,
      timeoutMs: 500,
      timers,
      onResult: (r, result) => results.push([r, result]),
      check: async (r, timeoutMs) => {
        checked.push(r);
        return { ok: r === a, error: r === a ? null : `down (${timeoutMs})`, latencyMs: 1 };
      },
    });
    expect(timers.armed).toEqual([[10_000, true]]);
    await timers.advance(9_999);
    expect(results).toEqual([]);
    await timers.advance(1);
    expect(results).toEqual([
      [a, { ok: true, error: null, latencyMs: 1 }],
      [b, { ok: false, error: 'down (500)', latencyMs: 1 }],
    ]);
    expect(timers.armed).toEqual([[20_000, true]]);
    await timers.advance(10_000);
    expect(checked).toHaveLength(4);
    checker.close();
    expect(timers.armed).toEqual([]);
    await timers.advance(60_000);
    expect(checked).toHaveLength(4);
  });

  it('runs a real check round on demand', async () => {
    const r = route();
    const results: HealthResult[] = [];
    const checker = new HealthChecker({
      routes: () => [r],
      intervalMs: 60_000,
      timeoutMs: 1000,
      timers: new ManualTimers(),
      onResult: (_route, result) => results.push(result),
    });
    cleanUp.push(() => checker.close());
    await checker.checkNow();
    expect(results.map((result) => result.ok)).toEqual([true]);
    expect(upstream.calls.map((call) => call.path)).toEqual(['/v1/models']);
  });
});

describe('ProviderRoutes', () => {
  it('keeps an unchanged provider, replaces a changed one, and lists enabled ones only', async () => {
    const providers = new ProviderRoutes();
    cleanUp.push(() => providers.close());
    const fake = providerRecord(upstream.baseUrl, { apiKeys: [KEY_A, KEY_B] });
    const off = providerRecord(upstream.baseUrl, { name: 'off', enabled: false });
    providers.load([fake, off]);
    const first = providers.get('fake')!;
    expect(providers.routes()).toEqual([first]);
    expect(providers.get('off')?.enabled).toBe(false);

    upstream.script((call) => call.json(401, {}));
    await checkProvider(first, 1000);
    const held = gate();
    upstream.script(async (call) => {
      await held.promise;
      call.json(200, {});
    });
    const running = first.run(upstreamJob(), recordingSink());

    providers.load([{ ...fake, price: { prompt: 9, completion: 9 }, maxConcurrent: 1 }, off]);
    expect(providers.get('fake')).toBe(first);
    expect(first.priceFor('m')).toEqual({ prompt: 9, completion: 9 });
    expect(first.keyStates().map((key) => key.state)).toEqual(['disabled', 'active']);
    expect(first.capacity('m')).toBe('busy');

    providers.load([{ ...fake, apiKeys: [KEY_A, KEY_B, 'sk-health-cccc3333'], maxConcurrent: 1 }]);
    const second = providers.get('fake')!;
    expect(second).not.toBe(first);
    expect(second.keyStates().map((key) => key.state)).toEqual(['active', 'active', 'active']);
    expect(second.inFlight()).toBe(1);
    expect(second.capacity('m')).toBe('busy');
    expect(providers.get('off')).toBeUndefined();

    held.open();
    await running;
    expect(second.inFlight()).toBe(0);
    expect(second.capacity('m')).toBe('ready');
  });
});
