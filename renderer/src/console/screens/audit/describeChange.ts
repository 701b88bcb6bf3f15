/** A short text of what an audit entry changed: `rpm: 5 → 10`, one field after another. */
const SKIPPED = new Set(['updatedAt', 'createdAt']);

const show = (value: unknown): string =>
  value === undefined || value === null
    ? '–'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function describeChange(before: unknown, after: unknown): string {
  if (isRecord(before) || isRecord(after)) {
    const was = isRecord(before) ? before : {};
    const now = isRecord(after) ? after : {};
    const fields = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter(
      (field) => !SKIPPED.has(field) && show(was[field]) !== show(now[field]),
    );
    return fields
      .map((field) =>
        isRecord(before)
          ? `${field}: ${show(was[field])} → ${show(now[field])}`
          : `${field}: ${show(now[field])}`,
      )
      .join(', ');
  }
  if (before === null || before === undefined) return show(after);
  return `${show(before)} → ${show(after)}`;
}
