/** The shape of one admin command, and the flag parsing its commands share. */
import { UnknownOrgError } from '../store/types.js';
import type { AdminStore } from './adminStore.js';

/** A mistake in the command line: exit code 2, with the hint to read the help. */
export class AdminUsageError extends Error {}

export type Values = Record<string, string | boolean | string[] | undefined>;
/** Prints `json` with --json, else the text lines. */
export type Print = (json: unknown, text: string[]) => void;

export interface Command {
  /** Positional argument names after the command words. */
  args: string[];
  /** Options the command takes besides --json and --help. */
  options: string[];
  run(store: AdminStore, args: string[], values: Values, print: Print): Promise<number | void>;
}

/** The one value of a flag that may be given once (parseArgs collects repeatable ones). */
export function single(values: Values, flag: string): string | undefined {
  const value = values[flag];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new AdminUsageError(`--${flag} may be given only once here`);
    return value[0];
  }
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable flag. */
export function many(values: Values, flag: string): string[] {
  const value = values[flag];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export function integer(flag: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new AdminUsageError(
      `--${flag} must be a whole number from 1 to ${max}, got '${String(value)}'`,
    );
  }
  return number;
}

/** A flag's value, which must be there (`what` names it in the message, e.g. ID). */
export function required(values: Values, flag: string, what = 'ID'): string {
  const value = single(values, flag);
  if (value === undefined || value === '')
    throw new AdminUsageError(`--${flag} ${what} is required`);
  return value;
}

/** A dollar amount such as 0.5 (USD per 1M tokens); the store checks its range. */
export function usd(values: Values, flag: string): number | undefined {
  const value = single(values, flag);
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new AdminUsageError(`--${flag} must be a USD amount such as 0.5, got '${value}'`);
  return Number(value);
}

/** Both of a pair of price flags, or neither. */
export function pricePair(
  values: Values,
  prompt: string,
  completion: string,
): { prompt: number; completion: number } | null {
  const p = usd(values, prompt);
  const c = usd(values, completion);
  if (p === undefined && c === undefined) return null;
  if (p === undefined || c === undefined)
    throw new AdminUsageError(`--${prompt} and --${completion} go together`);
  return { prompt: p, completion: c };
}

/** `A,B,nodes` as a list; empty entries are mistakes. */
export function commaList(flag: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new AdminUsageError(`--${flag} must be names separated by commas, got '${value}'`);
  return items;
}

/** `A=3,B=1` as {A: 3, B: 1}; the store checks that the numbers fit. */
export function weightList(value: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const item of commaList('weights', value)) {
    const match = /^([^=]+)=(-?\d+(?:\.\d+)?)$/.exec(item);
    if (!match) throw new AdminUsageError(`--weights must look like A=3,B=1, got '${value}'`);
    if (Object.hasOwn(weights, match[1]!))
      throw new AdminUsageError(`--weights names '${match[1]}' twice`);
    weights[match[1]!] = Number(match[2]);
  }
  return weights;
}

/** Fails with exit code 1 when `--org` names no organization (`*`, every org, where allowed). */
export async function knownOrg(
  store: AdminStore,
  orgId: string | undefined,
  allowStar = false,
): Promise<void> {
  if (orgId === undefined || (allowStar && orgId === '*')) return;
  if (!(await store.getOrg(orgId))) throw new UnknownOrgError(orgId);
}

/** The table, or the line that says it is empty. */
export const list = (empty: string, lines: string[]): string[] =>
  lines.length > 1 ? lines : [empty];
