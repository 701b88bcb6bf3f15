/** The audit screen's filter: what the form holds, and the query it sends. */
import { query } from '../../api/consoleApi';

export interface AuditFilterForm {
  actor: string;
  action: string;
  since: string;
  until: string;
  limit: string;
}

export const EMPTY_FILTER: AuditFilterForm = {
  actor: '',
  action: '',
  since: '',
  until: '',
  limit: '',
};

/** The most entries one call may return (MAX_AUDIT_LIMIT in common/adminLimits.ts). */
export const MAX_AUDIT_LIMIT = 100_000;

/**
 * A typed day (`2026-12-31`, the user's local day) or ISO time, as an ISO instant; a day
 * ends at the next local midnight when `endOfDay`. Null when blank, 'bad' when not a date.
 */
export function parseWhen(text: string, endOfDay: boolean): string | null | 'bad' {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const local = new Date(year, month - 1, date + (endOfDay ? 1 : 0));
    const real = new Date(year, month - 1, date);
    if (real.getFullYear() !== year || real.getMonth() !== month - 1 || real.getDate() !== date)
      return 'bad';
    return local.toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return 'bad';
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? 'bad' : new Date(time).toISOString();
}

export type FilterProblem = 'since' | 'until' | 'order' | 'limit';

/** The query string of a filter (without `format`), or what is wrong with it. */
export function filterQuery(
  form: AuditFilterForm,
):
  { ok: true; values: Record<string, string | undefined> } | { ok: false; problem: FilterProblem } {
  const since = parseWhen(form.since, false);
  if (since === 'bad') return { ok: false, problem: 'since' };
  const until = parseWhen(form.until, true);
  if (until === 'bad') return { ok: false, problem: 'until' };
  if (since !== null && until !== null && since >= until) return { ok: false, problem: 'order' };
  const limitText = form.limit.trim();
  const limit = Number(limitText);
  if (limitText !== '' && (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT))
    return { ok: false, problem: 'limit' };
  return {
    ok: true,
    values: {
      actor: form.actor.trim() || undefined,
      action: form.action.trim() || undefined,
      since: since ?? undefined,
      until: until ?? undefined,
      limit: limitText || undefined,
    },
  };
}

export function auditPath(values: Record<string, string | undefined>, format?: 'csv'): string {
  return `/audit${query({ ...values, format })}`;
}
