/**
 * Settings file migrations: each step turns a file of version n into version n+1, so a file
 * from any older build is brought up to date before `settingsSchema` parses it. Pure and
 * shared: the headless node and the app's engine run the same chain.
 */
import { SETTINGS_VERSION } from './settings.js';

/** One step: takes a version-n object and returns a new version-(n+1) object. */
export type SettingsMigration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Migration from version n to n+1, keyed by n. Version 0 is a file with no `version` (pre-release builds). */
export const SETTINGS_MIGRATIONS: Readonly<Record<number, SettingsMigration>> = Object.freeze({
  // Pre-release files had the same shape, only no version.
  0: (old: Record<string, unknown>) => ({ ...old, version: 1 }),
  // Version 2 adds the update feed; files from before it had none, so updates stay off.
  1: (old: Record<string, unknown>) => ({ ...old, updates: { feedURL: null }, version: 2 }),
});

/** A settings object this build cannot migrate: written by a newer build, or no valid version. */
export class SettingsVersionError extends Error {
  /** The version found in the file; NaN when it was not a number at all. */
  readonly found: number;

  constructor(message: string, found: number) {
    super(message);
    this.name = 'SettingsVersionError';
    this.found = found;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The file's version: 0 when absent; throws when it is not a non-negative integer. */
function versionOf(raw: Record<string, unknown>): number {
  const version = raw.version;
  if (version === undefined) return 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    const found = typeof version === 'number' ? version : NaN;
    throw new SettingsVersionError(
      `settings version must be a non-negative integer, found ${JSON.stringify(version)}`,
      found,
    );
  }
  return version;
}

/**
 * Brings a parsed settings object up to `target` (default SETTINGS_VERSION). Throws
 * SettingsVersionError for a version newer than target, or a non-object / non-integer
 * version. The input is never modified; each step's result is stamped with its version, so a
 * step only has to reshape fields.
 */
export function migrateSettings(
  raw: unknown,
  migrations: Readonly<Record<number, SettingsMigration>> = SETTINGS_MIGRATIONS,
  target: number = SETTINGS_VERSION,
): { value: Record<string, unknown>; from: number } {
  if (!isPlainObject(raw)) {
    const kind = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw;
    throw new SettingsVersionError(`settings must be a JSON object, found ${kind}`, NaN);
  }
  const from = versionOf(raw);
  if (from > target) {
    throw new SettingsVersionError(
      `settings version ${from} was written by a newer build (this build reads up to version ${target})`,
      from,
    );
  }
  // A clone, so that a careless step cannot reach the caller's object.
  let value: Record<string, unknown> = structuredClone(raw);
  for (let version = from; version < target; version++) {
    const step = migrations[version];
    if (!step) throw new Error(`no settings migration from version ${version}`);
    const next = step(value);
    if (!isPlainObject(next)) {
      throw new Error(`settings migration from version ${version} did not return an object`);
    }
    value = { ...next, version: version + 1 };
  }
  return { value, from };
}
