import { describe, expect, it } from 'vitest';
import type { WeeklyWindow } from '../../common/settings.js';
import { inWeeklyWindow, nextWindowChange } from '../../main/engine/schedule/weeklyWindows.js';

// Local-time constructor, so these hold in any time zone. November 2026 has no DST change
// in the last week: Sat 21, Sun 22, Mon 23, … Sat 28, Sun 29, Mon 30.
const nov = (day: number, hours: number, minutes = 0) => new Date(2026, 10, day, hours, minutes);
const w = (days: number[], start: string, end: string): WeeklyWindow => ({ days, start, end });

const MON_NIGHT = [w([1], '22:00', '07:00')];
const SAT_NIGHT = [w([6], '22:00', '07:00')];

describe('inWeeklyWindow', () => {
  const cases: Array<[string, WeeklyWindow[], Date, boolean]> = [
    ['overnight: before start', MON_NIGHT, nov(23, 21, 59), false],
    ['overnight: at start', MON_NIGHT, nov(23, 22, 0), true],
    ['overnight: at midnight', MON_NIGHT, nov(24, 0, 0), true],
    ['overnight: last minute', MON_NIGHT, nov(24, 6, 59), true],
    ['overnight: at end (half-open)', MON_NIGHT, nov(24, 7, 0), false],
    ['overnight: the morning of its own start day is not in it', MON_NIGHT, nov(23, 6, 0), false],
    ['overnight: another night', MON_NIGHT, nov(24, 23, 0), false],
    ['Saturday overnight: Saturday 22:00', SAT_NIGHT, nov(28, 22, 0), true],
    ['Saturday overnight: wraps to Sunday 00:00', SAT_NIGHT, nov(29, 0, 0), true],
    ['Saturday overnight: Sunday 06:59', SAT_NIGHT, nov(22, 6, 59), true],
    ['Saturday overnight: Sunday 07:00', SAT_NIGHT, nov(22, 7, 0), false],
    ['Saturday overnight: Friday night', SAT_NIGHT, nov(27, 23, 0), false],
    ['starts at midnight: 00:00 is in', [w([1], '00:00', '07:00')], nov(23, 0, 0), true],
    ['starts at midnight: Sunday 23:59 is out', [w([1], '00:00', '07:00')], nov(22, 23, 59), false],
    ['ends at midnight: 23:59 is in', [w([1], '22:00', '00:00')], nov(23, 23, 59), true],
    ['ends at midnight: 00:00 is out', [w([1], '22:00', '00:00')], nov(24, 0, 0), false],
    ['start === end: whole day from start', [w([3], '09:00', '09:00')], nov(25, 9, 0), true],
    ['start === end: next morning', [w([3], '09:00', '09:00')], nov(26, 8, 59), true],
    ['start === end: ends 24 h later', [w([3], '09:00', '09:00')], nov(26, 9, 0), false],
    ['start === end: before start', [w([3], '09:00', '09:00')], nov(25, 8, 59), false],
    ['weekdays daytime: Friday', [w([1, 2, 3, 4, 5], '09:00', '17:00')], nov(27, 16, 59), true],
    ['weekdays daytime: Saturday', [w([1, 2, 3, 4, 5], '09:00', '17:00')], nov(28, 10, 0), false],
    ['any of several windows', [w([2], '01:00', '02:00'), ...MON_NIGHT], nov(24, 3, 0), true],
    ['no windows', [], nov(23, 12, 0), false],
  ];
  it.each(cases)('%s', (_label, windows, at, expected) => {
    expect(inWeeklyWindow(windows, at)).toBe(expected);
  });
});

describe('nextWindowChange', () => {
  const everyDayAllDay = [w([0, 1, 2, 3, 4, 5, 6], '00:00', '00:00')];
  const cases: Array<[string, WeeklyWindow[], Date, Date | null]> = [
    ['outside: the next start', MON_NIGHT, nov(23, 12, 0), nov(23, 22, 0)],
    ['inside: the end', MON_NIGHT, nov(23, 23, 0), nov(24, 7, 0)],
    ['exactly at start: the end', MON_NIGHT, nov(23, 22, 0), nov(24, 7, 0)],
    ['exactly at end: next week', MON_NIGHT, nov(24, 7, 0), nov(30, 22, 0)],
    ['Saturday overnight, inside on Sunday', SAT_NIGHT, nov(29, 0, 30), nov(29, 7, 0)],
    ['Saturday overnight, Sunday morning', SAT_NIGHT, nov(22, 8, 0), nov(28, 22, 0)],
    [
      'adjacent windows count as one',
      [w([1], '22:00', '00:00'), w([2], '00:00', '07:00')],
      nov(23, 22, 30),
      nov(24, 7, 0),
    ],
    [
      'overlapping windows count as one',
      [w([1], '20:00', '23:00'), w([1], '22:00', '01:00')],
      nov(23, 21, 0),
      nov(24, 1, 0),
    ],
    [
      'whole days in a row merge',
      [w([0, 1, 2, 3, 4, 5], '00:00', '00:00')],
      nov(23, 12, 0),
      nov(28, 0, 0),
    ],
    ['start === end: 24 h later', [w([3], '09:00', '09:00')], nov(25, 12, 0), nov(26, 9, 0)],
    ['almost a week ahead', [w([1], '10:00', '11:00')], nov(23, 11, 0), nov(30, 10, 0)],
    ['no windows', [], nov(23, 12, 0), null],
    ['the whole week: never changes', everyDayAllDay, nov(23, 12, 0), null],
  ];
  it.each(cases)('%s', (_label, windows, from, expected) => {
    expect(nextWindowChange(windows, from)).toEqual(expected);
  });

  it('agrees with inWeeklyWindow just before and at the change', () => {
    const windows = [w([5, 6], '23:30', '06:15'), w([2], '12:00', '13:00')];
    let at = nov(21, 0, 0);
    for (let i = 0; i < 10; i += 1) {
      const change = nextWindowChange(windows, at);
      if (!change) throw new Error('expected a change');
      const before = new Date(change.getTime() - 60_000);
      expect(inWeeklyWindow(windows, before)).toBe(inWeeklyWindow(windows, at));
      expect(inWeeklyWindow(windows, change)).not.toBe(inWeeklyWindow(windows, at));
      at = change;
    }
  });
});
