import { describe, expect, it } from 'vitest';
import { KeyRing, scrubKey } from '../../gateway/upstream/keyRing.js';
import { SseParser } from '../../gateway/upstream/sseParser.js';
import { retryAfterMs } from '../../gateway/upstream/upstreamErrors.js';

const KEYS = ['sk-alpha-00001111', 'sk-bravo-00002222', 'sk-charlie-00003333'];

function ring(keys = KEYS) {
  const clock = { now: 1_000_000 };
  return { clock, keys: new KeyRing(keys, () => clock.now) };
}

describe('KeyRing', () => {
  it('hands out keys in turn', () => {
    const { keys } = ring();
    const order = Array.from({ length: 5 }, () => keys.next()?.index);
    expect(order).toEqual([0, 1, 2, 0, 1]);
    expect(keys.next()?.key).toBe(KEYS[2]);
    expect(keys.next()?.authorization).toBe(`Bearer ${KEYS[0]}`);
  });

  it('skips a disabled key until the ring is reset', () => {
    const { keys } = ring();
    keys.disable(1, 'upstream refused the key (401)');
    expect([keys.next()?.index, keys.next()?.index, keys.next()?.index]).toEqual([0, 2, 0]);
    expect(keys.states()[1]).toEqual({
      masked: 'sk-…2222',
      state: 'disabled',
      reason: 'upstream refused the key (401)',
      restingUntil: null,
    });
    keys.reset();
    expect(keys.usableCount()).toBe(3);
  });

  it('rests a key for Retry-After, then uses it again', () => {
    const { clock, keys } = ring(['sk-one-11111111', 'sk-two-22222222']);
    keys.rest(0, 30_000, 'rate limited');
    expect(keys.earliestReturn()).toBe(clock.now + 30_000);
    expect(keys.states()[0]).toMatchObject({
      state: 'resting',
      reason: 'rate limited',
      restingUntil: new Date(clock.now + 30_000).toISOString(),
    });
    expect([keys.next()?.index, keys.next()?.index]).toEqual([1, 1]);
    clock.now += 30_000;
    expect(keys.earliestReturn()).toBeNull();
    expect(keys.states()[0]!.state).toBe('active');
    expect(keys.next()?.index).toBe(0);
  });

  it('backs off 1 s doubling to 60 s without Retry-After, and starts again after a success', () => {
    const { clock, keys } = ring(['sk-only-12345678']);
    const rests: number[] = [];
    for (let i = 0; i < 8; i++) {
      rests.push(keys.rest(0, undefined, '429'));
      clock.now += rests.at(-1)!;
    }
    expect(rests).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    keys.succeeded(0);
    expect(keys.rest(0, null, '429')).toBe(1000);
    expect(keys.next()).toBeNull();
    expect(keys.restingCount()).toBe(1);
    expect(keys.usableCount()).toBe(0);
  });

  it('returns null when no key is usable', () => {
    const { keys } = ring(['sk-a-1234567890', 'sk-b-1234567890']);
    keys.disable(0, 'x');
    keys.rest(1, 5000, 'y');
    expect(keys.next()).toBeNull();
    expect(new KeyRing([]).next()).toBeNull();
  });

  it('lists no key, only masks', () => {
    const { keys } = ring([...KEYS, 'sk-short']);
    expect(keys.states().map((state) => state.masked)).toEqual([
      'sk-…1111',
      'sk-…2222',
      'sk-…3333',
      '…',
    ]);
    const listing = JSON.stringify(keys.states());
    for (const key of [...KEYS, 'sk-short']) expect(listing).not.toContain(key);
  });

  it('scrubs a key the provider echoed', () => {
    expect(scrubKey('Incorrect API key provided: sk-alpha-00001111.', KEYS[0]!)).toBe(
      'Incorrect API key provided: sk-…1111.',
    );
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 01 Jan 2030 00:00:20 GMT' }, now)).toBe(20_000);
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '7' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});

describe('SseParser', () => {
  it('gives each data event whole however the bytes were split', () => {
    const events: string[] = [];
    const parser = new SseParser((data) => events.push(data));
    const text =
      ': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\nevent: x\ndata:{"b":"é"}\n\ndata: [DONE]\n\n';
    for (const piece of text.match(/.{1,3}/gs)!) parser.push(piece);
    parser.end();
    expect(events).toEqual(['{"a":1}', '{"b":"é"}', '[DONE]']);
  });

  it('joins multi-line data and flushes an event without its blank line at the end', () => {
    const events: string[] = [];
    const parser = new SseParser((data) => events.push(data));
    parser.push('data: one\ndata: two\n\ndata: last');
    expect(events).toEqual(['one\ntwo']);
    parser.end();
    expect(events).toEqual(['one\ntwo', 'last']);
  });
});
