/** Repeated log lines: shown twice, then counted, with a summary per window and at flush. */
import { describe, expect, it } from 'vitest';
import { RepeatLog } from '../../common/repeatLog.js';
import { captureLogs } from '../gateway-link/support/logCapture.js';

describe('RepeatLog', () => {
  it('logs a line twice, counts its repeats, and summarizes them when the line changes or at flush', () => {
    const logs = captureLogs();
    const repeats = new RepeatLog(logs, { now: () => 0 });
    for (let i = 1; i <= 5; i++) repeats.info('node availability', { nodeId: 'n', serving: true });
    repeats.info('node availability', { nodeId: 'n', serving: false }); // a change: shown
    repeats.debug('other', { i: 1 });
    expect(logs.lines.map((line) => [line.msg, line.serving ?? line.i])).toEqual([
      ['node availability', true],
      ['node availability', true],
      ['node availability repeated 3 more times', true],
      ['node availability', false],
      ['other', 1],
    ]);
    expect(logs.lines[2]).toMatchObject({ level: 'info', count: 3 });
    for (let i = 0; i < 3; i++) repeats.info('other', { i: 1 });
    repeats.flush();
    expect(logs.lines.slice(5)).toEqual([
      { level: 'info', msg: 'other', i: 1 },
      { level: 'info', msg: 'other repeated 2 more times', i: 1, count: 2 },
    ]);
    repeats.flush(); // nothing left to summarize
    expect(logs.lines).toHaveLength(7);
  });

  it('summarizes at most once a window, then shows a key again', () => {
    const logs = captureLogs();
    let now = 0;
    const repeats = new RepeatLog(logs, { now: () => now, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) repeats.warn('flood');
    now = 59_999;
    repeats.warn('flood');
    expect(logs.lines.map((line) => line.msg)).toEqual(['flood', 'flood']);
    now = 60_000;
    repeats.warn('flood');
    expect(logs.lines.slice(2)).toEqual([
      { level: 'warn', msg: 'flood repeated 9 more times', count: 9 },
      { level: 'warn', msg: 'flood' },
    ]);
  });

  it('keys lines by the key given, not the message', () => {
    const logs = captureLogs();
    const repeats = new RepeatLog(logs, { now: () => 0 });
    for (const key of ['a', 'b', 'a', 'b', 'a']) repeats.info('same', { key }, key);
    expect(logs.lines.map((line) => line.key)).toEqual(['a', 'b', 'a', 'b']);
    repeats.flush();
    expect(logs.lines[4]).toMatchObject({ msg: 'same repeated 1 more times', key: 'a', count: 1 });
  });
});
