/** LogRing: parsing what createLogger writes, capacity, and the errors of a period. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { LogRing, parseLogLine, teeToRing } from '../../main/engine/diagnostics/logRing.js';

describe('LogRing', () => {
  it('parses JSON lines from a tee-d logger and still writes them through', () => {
    const ring = new LogRing();
    const written: string[] = [];
    const logger = createLogger({
      json: true,
      level: 'debug',
      write: teeToRing(ring, (line) => written.push(line)),
    });
    logger.info('model loaded', { model: 'tiny', ms: 12, gpu: false });
    logger.error('link lost', { code: 1006 });
    expect(written).toHaveLength(2);
    const [loaded, lost] = ring.entries();
    expect(loaded).toMatchObject({
      level: 'info',
      msg: 'model loaded',
      fields: { model: 'tiny', ms: 12, gpu: false },
    });
    expect(Date.parse(loaded!.time)).not.toBeNaN();
    expect(lost).toMatchObject({ level: 'error', msg: 'link lost', fields: { code: 1006 } });
  });

  it('parses readable lines, with the trailing key=value pairs as fields', () => {
    const ring = new LogRing();
    const logger = createLogger({ write: teeToRing(ring, () => undefined) });
    logger.warn('could not save the stats now', { error: 'EACCES', tries: 3, final: true });
    expect(ring.entries()).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
        level: 'warn',
        msg: 'could not save the stats now',
        fields: { error: 'EACCES', tries: 3, final: true },
      },
    ]);
    const other = parseLogLine('something else entirely', () => new Date(0));
    expect(other).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'something else entirely',
      fields: {},
    });
    expect(parseLogLine('{"broken json').msg).toBe('{"broken json');
  });

  it('keeps only the newest entries up to its capacity, newest last', () => {
    const ring = new LogRing(3);
    ring.write(
      ['a', 'b', 'c', 'd', 'e']
        .map((msg) => JSON.stringify({ time: '2025-01-01T00:00:00Z', level: 'info', msg }))
        .join('\n') + '\n',
    );
    expect(ring.entries().map((entry) => entry.msg)).toEqual(['c', 'd', 'e']);
    expect(ring.entries(2).map((entry) => entry.msg)).toEqual(['d', 'e']);
    expect(ring.entries(0)).toEqual([]);
    ring.write('\n');
    expect(ring.entries()).toHaveLength(3);
    expect(() => new LogRing(0)).toThrow(RangeError);
  });

  it('returns the warnings and errors since a time', () => {
    const ring = new LogRing();
    const at = (time: string, level: string, msg: string) =>
      ring.write(JSON.stringify({ time, level, msg }));
    at('2025-01-01T09:00:00.000Z', 'error', 'old');
    at('2025-01-01T10:30:00.000Z', 'info', 'fine');
    at('2025-01-01T10:31:00.000Z', 'warn', 'slow');
    at('2025-01-01T10:32:00.000Z', 'error', 'broken');
    expect(
      ring.errorsSince(Date.parse('2025-01-01T10:00:00.000Z')).map((entry) => entry.msg),
    ).toEqual(['slow', 'broken']);
  });
});
