/** Calendar days in the machine's local time zone, for the ledger's daily figures. */

/** `YYYY-MM-DD` of the local day `time` (epoch ms) falls on. */
export function localDayKey(time: number): string {
  const date = new Date(time);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The span of the last `days` local days, today (the day of `now`) included: from local
 * midnight `days - 1` days ago up to (not including) tomorrow's local midnight. Built from
 * calendar fields rather than 24 h steps, so days of 23 or 25 hours (DST) count as one day.
 */
export function lastLocalDays(now: Date, days: number): { start: number; end: number } {
  const year = now.getFullYear();
  const month = now.getMonth();
  const day = now.getDate();
  return {
    start: new Date(year, month, day - (days - 1)).getTime(),
    end: new Date(year, month, day + 1).getTime(),
  };
}
