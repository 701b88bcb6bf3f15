/**
 * Number, money and time formatting in the current language. Amounts are small (fractions
 * of a cent per request), so money below one cent keeps up to 6 decimals.
 */

/** USD: 2 decimals from $1, up to 4 below $1, up to 6 below one cent. */
export function formatUsd(amount: number, language: string): string {
  const abs = Math.abs(amount);
  const maximumFractionDigits = abs === 0 || abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return new Intl.NumberFormat(language, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits,
  }).format(amount);
}

export function formatNumber(value: number, language: string, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits }).format(value);
}

export function formatPercent(value: number, language: string): string {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(
    value / 100,
  );
}

const byteUnits = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** Decimal units, in the language's own abbreviations ("1.2 GB", "1,2 Go"). */
export function formatBytes(bytes: number, language: string): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: byteUnits[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/** Megabytes as GB when large ("7.9 GB"), else MB. */
export function formatMegabytes(mb: number, language: string): string {
  return formatBytes(mb * 1e6, language);
}

export function formatDateTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(
    date,
  );
}

export function formatTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' }).format(date);
}

/** "14:30" when `iso` is on the same local day as `now`, else the weekday too ("Tue 09:05"). */
export function formatClockFrom(iso: string, language: string, now: Date): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (date.toDateString() === now.toDateString()) return formatTime(iso, language);
  return new Intl.DateTimeFormat(language, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

const unit = (value: number, name: 'second' | 'minute' | 'hour', language: string) =>
  new Intl.NumberFormat(language, { style: 'unit', unit: name, unitDisplay: 'short' }).format(
    value,
  );

/** A duration as people say it: seconds under two minutes, minutes under an hour, then hours and minutes. */
export function formatDuration(seconds: number, language: string): string {
  const whole = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  if (whole < 120) return unit(whole, 'second', language);
  if (whole < 3600) return unit(Math.floor(whole / 60), 'minute', language);
  const hours = unit(Math.floor(whole / 3600), 'hour', language);
  const minutes = Math.floor((whole % 3600) / 60);
  return minutes === 0 ? hours : `${hours} ${unit(minutes, 'minute', language)}`;
}

/** A bucket's start as a short axis label for its size. */
export function formatBucketLabel(
  iso: string,
  bucket: 'minute' | 'hour' | 'day',
  language: string,
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions =
    bucket === 'day'
      ? { month: 'short', day: 'numeric' }
      : bucket === 'hour'
        ? { weekday: 'short', hour: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(language, options).format(date);
}

/** A file name stamp: `2026-11-24T22-09-47`. */
export function fileStamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}
