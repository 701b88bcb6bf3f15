/** redactedBundle: what support gets contains no secrets, credentials in URLs or prompt text. */
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../common/nodeApi.js';
import { defaultSettings } from '../../common/settings.js';
import { redact, redactedBundle, scrubText } from '../../main/engine/diagnostics/redact.js';

const SECRETS = [
  'tok_live_123',
  'sk-abcdef',
  's3cr3t',
  'hunter2',
  'ENROLL-42',
  'priv-key-b64',
  'sig=xyz',
];

const status = {
  version: '0.1.0',
  hardware: { summary: 'CPU only', backend: 'cpu' },
  link: {
    state: 'online',
    gatewayURL: 'https://alice:hunter2@gw.example.com/v1?token=tok_live_123#frag',
    nodeId: 'node-1',
    code: null,
    reason: null,
  },
  models: [{ id: 'qwen', price: { prompt: 0.1, completion: 0.4 }, tokensPerSecond: 42 }],
  stats: { promptTokens: 100, completionTokens: 200, tokensPerSecond: { p50: 40, p95: 50 } },
} as unknown as NodeStatus;

/** The parts of the bundle these tests read. */
interface Parsed {
  createdAt: string;
  status: { link: { gatewayURL: string }; stats: unknown; models: unknown[] };
  settings: { apiKey: string; gateway: { privateKey: string }; schedule: { mode: string } };
  checks: { detail: string; detailCode: unknown }[];
  logs: { msg: string; fields: unknown }[];
}

function bundle(): string {
  return redactedBundle({
    status,
    settings: {
      ...defaultSettings(),
      apiKey: 'sk-abcdef',
      gateway: { privateKey: 'priv-key-b64' },
    },
    checks: [
      {
        id: 'link',
        ok: true,
        detail: 'Online with https://gw.example.com/link?sig=xyz.',
        detailCode: {
          code: 'diag.linkOnline',
          params: { gateway: 'https://gw.example.com/link?sig=xyz' },
        },
        fix: null,
        fixCode: null,
      },
    ],
    logs: [
      {
        time: '2025-01-01T00:00:00.000Z',
        level: 'info',
        msg: 'joined with code=ENROLL-42',
        fields: {
          controlToken: 's3cr3t',
          Authorization: 'Bearer tok_live_123',
          messages: [{ role: 'user', content: 'my secret prompt' }],
        },
      },
    ],
    hardware: null,
    createdAt: new Date('2025-01-02T00:00:00.000Z'),
  });
}

describe('redactedBundle', () => {
  it('contains no token, key, password, enrollment code, URL query or prompt', () => {
    const text = bundle();
    for (const secret of [...SECRETS, 'my secret prompt', 'alice', 'frag'])
      expect(text).not.toContain(secret);
  });

  it('keeps what support needs: ids, counts, prices and URLs without credentials', () => {
    const parsed = JSON.parse(bundle()) as Parsed;
    expect(parsed.createdAt).toBe('2025-01-02T00:00:00.000Z');
    expect(parsed.status.link.gatewayURL).toBe('https://gw.example.com/v1');
    expect(parsed.status.stats).toEqual({
      promptTokens: 100,
      completionTokens: 200,
      tokensPerSecond: { p50: 40, p95: 50 },
    });
    expect(parsed.status.models[0]).toEqual({
      id: 'qwen',
      price: { prompt: 0.1, completion: 0.4 },
      tokensPerSecond: 42,
    });
    expect(parsed.settings.apiKey).toBe('[redacted]');
    expect(parsed.settings.gateway.privateKey).toBe('[redacted]');
    expect(parsed.settings.schedule.mode).toBe(defaultSettings().schedule.mode);
    expect(parsed.checks[0].detail).toBe('Online with https://gw.example.com/link.');
    // A reason keeps its code (a secret word elsewhere); its parameters are scrubbed.
    expect(parsed.checks[0].detailCode).toEqual({
      code: 'diag.linkOnline',
      params: { gateway: 'https://gw.example.com/link' },
    });
    expect(parsed.logs[0].fields).toEqual({
      controlToken: '[redacted]',
      Authorization: '[redacted]',
      messages: '[removed]',
    });
    expect(parsed.logs[0].msg).toBe('joined with code=[redacted]');
  });
});

describe('redact', () => {
  it('keeps numbers under secret-sounding names, and text under them goes', () => {
    expect(
      redact({
        timeToFirstTokenMs: { p50: 12, p95: 30 },
        code: 1001,
        apiKey: { value: 'sk-live' },
      }),
    ).toEqual({ timeToFirstTokenMs: { p50: 12, p95: 30 }, code: 1001, apiKey: '[redacted]' });
  });

  it('keeps the code of a known reason only; any other code is still redacted', () => {
    expect(
      redact({
        reasonCode: { code: 'schedule.gpuBusy', params: { program: 'x?token=t' } },
        enrollCode: { code: 'ENROLL-42', params: {} },
        code: 'schedule.manual',
      }),
    ).toEqual({
      reasonCode: { code: 'schedule.gpuBusy', params: { program: 'x?token=[redacted]' } },
      enrollCode: '[redacted]',
      code: '[redacted]',
    });
  });

  it('matches secret words in any naming style, but not counts of tokens', () => {
    expect(
      redact({
        api_key: 'a',
        'X-Auth-Token': 'b',
        sessionTokens: ['c'],
        keyboard: 'qwerty',
        maxTokens: 5,
        code: null,
      }),
    ).toEqual({
      api_key: '[redacted]',
      'X-Auth-Token': '[redacted]',
      sessionTokens: '[redacted]',
      keyboard: 'qwerty',
      maxTokens: 5,
      code: null,
    });
  });

  it('drops prompt text but keeps prices named prompt and completion, and survives cycles', () => {
    const looped: Record<string, unknown> = {
      prompt: 'tell me',
      completion: 'a story',
      price: { prompt: 1, completion: 2 },
    };
    looped.self = looped;
    expect(redact(looped)).toEqual({
      prompt: '[removed]',
      completion: '[removed]',
      price: { prompt: 1, completion: 2 },
      self: '[circular]',
    });
  });

  it('strips user info, query and fragment from URLs in text, and masks bearer tokens', () => {
    expect(scrubText('ws://u:p@127.0.0.1:9/link?code=1, then https://h.io')).toBe(
      'ws://127.0.0.1:9/link, then https://h.io',
    );
    expect(scrubText('header Authorization: Bearer abc.def')).toBe(
      'header Authorization: Bearer [redacted]',
    );
    expect(scrubText('api_key: sk-1 and tokens: 5')).toBe('api_key: [redacted] and tokens: 5');
  });
});
