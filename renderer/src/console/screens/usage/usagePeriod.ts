/** The period a usage report covers: the last N days, or a since/until pair of UTC dates. */

/** The gateway's own bound (`MAX_USAGE_DAYS` in common/adminApi.ts; the renderer imports only types). */
export const MAX_USAGE_DAYS = 366;

export interface PeriodInput {
  days: string;
  since: string;
  until: string;
}

export type PeriodProblem = 'badDays' | 'badDate' | 'sinceAfterUntil';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** A UTC date (`YYYY-MM-DD`) `days` days before `now`. */
export function utcDate(now: number, daysBack = 0): string {
  return new Date(now - daysBack * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The report's `since`/`until` query, or the problem with the input. Dates win over days;
 * `until` is inclusive on screen, so the query asks for the day after it.
 */
export function periodQuery(
  input: PeriodInput,
  now: number,
): { since?: string; until?: string } | { problem: PeriodProblem } {
  const since = input.since.trim();
  const until = input.until.trim();
  if (since !== '' || until !== '') {
    if ((since !== '' && !validDate(since)) || (until !== '' && !validDate(until)))
      return { problem: 'badDate' };
    if (since !== '' && until !== '' && since > until) return { problem: 'sinceAfterUntil' };
    const next = until === '' ? undefined : utcDate(Date.parse(`${until}T00:00:00Z`), -1);
    return { since: since || undefined, until: next };
  }
  const days = Number(input.days);
  if (input.days.trim() === '' || !Number.isInteger(days) || days < 1 || days > MAX_USAGE_DAYS)
    return { problem: 'badDays' };
  return { since: utcDate(now, days - 1) };
}
