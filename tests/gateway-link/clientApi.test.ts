/**
 * The client API's edges: API keys (401), validation (400, 415), unknown model (404), no
 * capacity (503), unknown URLs, and `/v1/models` following which nodes are online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESS_LIMIT } from '../../gateway/api/guessThrottle.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

const openAiError = (code: string | null = expect.any(String)) => ({
  error: { message: expect.any(String), type: expect.any(String), param: null, code },
});

describe('API keys', () => {
  it.each([
    ['no key', null],
    ['a wrong key', 'byoi-sk-wrong'],
    ['a malformed header', ''],
  ])('answers 401 invalid_api_key for %s', async (_name, key) => {
    for (const path of ['/v1/models', '/v1/chat/completions']) {
      const response = await fetch(`${t.gateway.url}${path}`, {
        method: path.endsWith('models') ? 'GET' : 'POST',
        headers: key === null ? {} : { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(openAiError('invalid_api_key'));
    }
  });

  it('answers 429 with Retry-After once an address has guessed too many keys', async () => {
    const guesser = await startTestGateway();
    try {
      const guess = () =>
        fetch(`${guesser.gateway.url}/v1/models`, {
          headers: { authorization: 'Bearer byoi-sk-guess' },
        });
      for (let i = 0; i < GUESS_LIMIT; i++) expect((await guess()).status).toBe(401);
      const held = await guess();
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await held.json()).toEqual(openAiError('rate_limit_exceeded'));
      // Even the right key waits: the address is held off before its key is looked at.
      await expect(guesser.client.models.list()).rejects.toMatchObject({ status: 429 });
    } finally {
      await guesser.close();
    }
  });

  it('refuses a revoked key before reading the body', async () => {
    const { key, info } = await t.gateway.store.createApiKey(t.clientOrgId, 'soon revoked');
    expect((await t.post('/v1/chat/completions', '{not json', key)).status).toBe(400);
    await t.gateway.store.revokeApiKey(info.id);
    expect((await t.post('/v1/chat/completions', '{not json', key)).status).toBe(401);
  });

  it('does not need a key for health and enrollment', async () => {
    expect((await fetch(`${t.gateway.url}/healthz`)).status).toBe(200);
    expect((await t.post('/v1/node/enroll', {}, null)).status).toBe(400);
  });
});

describe('request validation', () => {
  it.each([
    ['n=2', { model: 'x', messages: USER, n: 2 }, 'n'],
    ['no messages', { model: 'x' }, 'messages'],
    [
      'stream_options without stream',
      { model: 'x', messages: USER, stream_options: {} },
      'stream_options',
    ],
  ])('answers 400 for %s, naming the field', async (_name, body, param) => {
    const response = await t.post('/v1/chat/completions', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { param, type: 'invalid_request_error' },
    });
  });

  it('answers 400 for bad JSON and 415 for text/plain', async () => {
    expect((await t.post('/v1/chat/completions', '{"model": ')).status).toBe(400);
    const plain = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual(openAiError());
  });

  it('answers 404 in OpenAI’s shape for an unknown URL', async () => {
    const response = await fetch(`${t.gateway.url}/v1/embeddings`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(openAiError('unknown_url'));
  });
});

describe('models and capacity', () => {
  it('lists what online nodes serve, and forgets a node that leaves', async () => {
    const a = await t.connectNode([model('alpha'), model('shared')]);
    const b = await t.connectNode([model('shared')]);
    const ids = async () => (await t.client.models.list()).data.map((entry) => entry.id);
    expect(await ids()).toEqual(['alpha', 'shared']);
    expect(await t.client.models.retrieve('alpha')).toMatchObject({ owned_by: 'byoi-network' });

    // A re-announce replaces the list.
    await a.link.announce([model('shared')]);
    expect(await ids()).toEqual(['shared']);
    await expect(t.client.models.retrieve('alpha')).rejects.toMatchObject({ status: 404 });

    b.link.close();
    a.link.close();
    await Promise.all([a.link.closed, b.link.closed]);
    await expect(
      t.client.chat.completions.create({ model: 'shared', messages: USER }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('answers 503 no_capacity when the node serving the model refuses', async () => {
    const { link } = await t.connectNode([model('refuser')]);
    const reply = t.client.chat.completions.create({ model: 'refuser', messages: USER });
    const offer = await link.next('job.offer');
    link.send({ type: 'job.reject', jobId: offer.jobId, reason: 'busy', message: 'no' });
    await expect(reply).rejects.toMatchObject({
      status: 503,
      code: 'no_capacity',
      type: 'server_error',
    });
    link.close();
  });
});
