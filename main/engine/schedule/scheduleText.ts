/**
 * The wording of schedule reasons: durations and local times, in fixed English forms so
 * the text does not depend on the machine's locale.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * A duration as people say it: "90 s" under two minutes, "5 min" under an hour, then
 * "1 h 30 min" or "2 h". Fractions are dropped, negatives read as 0.
 */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  if (whole < 120) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min`;
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** Local time of day as `HH:MM`. */
export function formatClock(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Local weekday and time, e.g. "Mon 22:00". */
export function formatWeekdayClock(at: Date): string {
  return `${WEEKDAYS[at.getDay()]} ${formatClock(at)}`;
}

/** "14:30" when `at` is on the same local day as `now`, else "Tue 14:30". */
export function formatClockFrom(at: Date, now: Date): string {
  return at.toDateString() === now.toDateString() ? formatClock(at) : formatWeekdayClock(at);
}
