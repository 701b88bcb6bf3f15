/** Guessing credentials is slowed to a crawl per address, and memory stays bounded. */
import { describe, expect, it } from 'vitest';
import { GuessThrottle, TooManyGuessesError } from '../../gateway/api/guessThrottle.js';

describe('GuessThrottle', () => {
  it('holds off an address after the limit until its window is over, and no other', () => {
    let now = 1_000_000;
    const throttle = new GuessThrottle('API keys', 3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      throttle.check('a');
      throttle.miss('a');
    }
    const refusal = (() => {
      try {
        throttle.check('a');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(TooManyGuessesError);
    expect(refusal).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterSeconds: 60,
    });
    expect(() => throttle.check('b')).not.toThrow();
    now += 45_000;
    expect(() => throttle.check('a')).toThrow(/try again in 15 s/);
    now += 15_000;
    expect(() => throttle.check('a')).not.toThrow();
  });
});
