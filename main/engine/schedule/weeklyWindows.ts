/**
 * Weekly serving windows in local time. Occurrences are built with the local-time Date
 * constructor, so a window keeps its wall-clock hours across daylight-saving changes.
 */
import type { WeeklyWindow } from '../../../common/settings.js';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
/** How far ahead {@link nextWindowChange} looks: a week plus a day covers any weekly pattern. */
const LOOKAHEAD_DAYS = 8;

interface Occurrence {
  start: Date;
  end: Date;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Local midnight `offset` days after the day of `at`. */
function localDay(at: Date, offset: number): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate() + offset);
}

function atMinutes(day: Date, dayOffset: number, minutes: number): Date {
  return new Date(
    day.getFullYear(),
    day.getMonth(),
    day.getDate() + dayOffset,
    Math.floor(minutes / 60),
    minutes % 60,
  );
}

/** The window's occurrence starting on local `day`, or null when it does not start that weekday. */
function occurrenceOn(window: WeeklyWindow, day: Date): Occurrence | null {
  if (!window.days.includes(day.getDay())) return null;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  // end <= start runs into the next day; start === end is a whole day.
  const endDayOffset = end <= start ? 1 : 0;
  return { start: atMinutes(day, 0, start), end: atMinutes(day, endDayOffset, end) };
}

function occurrences(
  windows: readonly WeeklyWindow[],
  at: Date,
  fromDay: number,
  toDay: number,
): Occurrence[] {
  const found: Occurrence[] = [];
  for (let offset = fromDay; offset <= toDay; offset += 1) {
    const day = localDay(at, offset);
    for (const window of windows) {
      const occurrence = occurrenceOn(window, day);
      if (occurrence) found.push(occurrence);
    }
  }
  return found;
}

/**
 * Whether `at` lies inside any window (local time). A window starts on each of its `days`
 * (0 = Sunday) at `start`; end <= start runs past midnight into the next day (Sat
 * 22:00–07:00 ends Sunday 07:00; a Saturday overnight window wraps to Sunday = day 0);
 * start === end is 24 h. Windows are half-open: in at `start`, out at `end`.
 */
export function inWeeklyWindow(windows: readonly WeeklyWindow[], at: Date): boolean {
  // No occurrence lasts more than a day, so only those starting yesterday or today can cover `at`.
  return occurrences(windows, at, -1, 0).some(
    (o) => o.start.getTime() <= at.getTime() && at.getTime() < o.end.getTime(),
  );
}

/**
 * The next time {@link inWeeklyWindow}'s answer changes after `from`, within 8 days, or null
 * (no windows, or windows that cover the whole week). Adjacent or overlapping windows count
 * as one, so their shared edge is not a change.
 */
export function nextWindowChange(windows: readonly WeeklyWindow[], from: Date): Date | null {
  if (windows.length === 0) return null;
  const now = inWeeklyWindow(windows, from);
  const limit = from.getTime() + LOOKAHEAD_DAYS * MS_PER_DAY;
  const edges = occurrences(windows, from, -1, LOOKAHEAD_DAYS)
    .flatMap((o) => [o.start.getTime(), o.end.getTime()])
    .filter((t) => t > from.getTime() && t <= limit)
    .sort((a, b) => a - b);
  // The answer is constant between edges, so the first edge with a different answer is it.
  for (const edge of new Set(edges)) {
    const at = new Date(edge);
    if (inWeeklyWindow(windows, at) !== now) return at;
  }
  return null;
}
