/** The settings migration chain: the real steps, and the machinery on a synthetic table. */
import { describe, expect, it } from 'vitest';
import { settingsSchema, SETTINGS_VERSION } from '../../common/settings.js';
import {
  migrateSettings,
  SETTINGS_MIGRATIONS,
  SettingsVersionError,
  type SettingsMigration,
} from '../../common/settingsMigrations.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A pre-release file: the current shape without `version`. */
const unversioned = () => ({
  schedule: { mode: 'always', idleThresholdSeconds: 60 },
  pricing: { models: { 'llama-3.1-8b': { prompt: 0.3, completion: 0.6 } } },
  logPrompts: false,
});

describe('SETTINGS_MIGRATIONS', () => {
  it('has a step for every version below SETTINGS_VERSION', () => {
    for (let version = 0; version < SETTINGS_VERSION; version++) {
      expect(typeof SETTINGS_MIGRATIONS[version], `step ${version}`).toBe('function');
    }
    expect(SETTINGS_MIGRATIONS[SETTINGS_VERSION]).toBeUndefined();
  });

  it('never mutates the input of any step', () => {
    for (const [version, step] of Object.entries(SETTINGS_MIGRATIONS)) {
      const input = deepFreeze({
        ...unversioned(),
        ...(version === '0' ? {} : { version: Number(version) }),
      });
      const before = structuredClone(input);
      // A frozen input makes any write throw in strict mode.
      const output = step(input);
      expect(input).toEqual(before);
      expect(output).not.toBe(input);
    }
  });
});

describe('migrateSettings with the real chain', () => {
  it('migrates an unversioned file to the current version, keeping its fields', () => {
    const { value, from } = migrateSettings(unversioned());
    expect(from).toBe(0);
    expect(value).toEqual({
      ...unversioned(),
      updates: { feedURL: null },
      version: SETTINGS_VERSION,
    });
    const settings = settingsSchema.parse(value);
    expect(settings.schedule.mode).toBe('always');
    expect(settings.pricing.models['llama-3.1-8b']).toEqual({ prompt: 0.3, completion: 0.6 });
  });

  it('brings a version-1 file to version 2 with updates off, keeping its fields', () => {
    const raw = deepFreeze({ ...unversioned(), version: 1 });
    const { value, from } = migrateSettings(raw);
    expect(from).toBe(1);
    expect(value).toEqual({ ...unversioned(), updates: { feedURL: null }, version: 2 });
    expect(settingsSchema.parse(value).updates.feedURL).toBeNull();
  });

  it('accepts an http(s) update feed and refuses anything else with a clear message', () => {
    const feed = 'http://10.0.0.2:8080/updates/';
    const current = { ...unversioned(), version: SETTINGS_VERSION };
    expect(settingsSchema.parse({ ...current, updates: { feedURL: feed } }).updates.feedURL).toBe(
      feed,
    );
    for (const feedURL of ['ftp://example.com/', 'updates.example.com', 'https://', 42]) {
      const parsed = settingsSchema.safeParse({ ...current, updates: { feedURL } });
      expect(parsed.success, String(feedURL)).toBe(false);
      const issue = parsed.error?.issues[0];
      expect(issue?.path).toEqual(['updates', 'feedURL']);
      if (typeof feedURL === 'string') expect(issue?.message).toMatch(/http:\/\/ or https:\/\//);
    }
  });

  it('passes a current file through as a copy', () => {
    const raw = deepFreeze({ ...unversioned(), version: SETTINGS_VERSION });
    const result = migrateSettings(raw);
    expect(result.from).toBe(SETTINGS_VERSION);
    expect(result.value).toEqual(raw);
    expect(result.value).not.toBe(raw);
  });

  it('refuses a version newer than this build, saying which', () => {
    const error = catchError(() => migrateSettings({ version: SETTINGS_VERSION + 1 }));
    expect(error).toBeInstanceOf(SettingsVersionError);
    expect((error as SettingsVersionError).found).toBe(SETTINGS_VERSION + 1);
    expect((error as Error).message).toMatch(/newer build/);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'settings'],
    ['a number', 3],
  ])('refuses %s as settings', (_name, raw) => {
    const error = catchError(() => migrateSettings(raw));
    expect(error).toBeInstanceOf(SettingsVersionError);
    expect(Number.isNaN((error as SettingsVersionError).found)).toBe(true);
    expect((error as Error).message).toMatch(/must be a JSON object/);
  });

  it.each([
    [1.5, 1.5],
    ['1', NaN],
    [-1, -1],
    [null, NaN],
  ])('refuses version %j', (version, found) => {
    const error = catchError(() => migrateSettings({ version }));
    expect(error).toBeInstanceOf(SettingsVersionError);
    expect((error as SettingsVersionError).found).toBe(found);
  });
});

describe('migrateSettings machinery (synthetic 1 → 2 → 3)', () => {
  const calls: number[] = [];
  const rename =
    (version: number, from: string, to: string): SettingsMigration =>
    ({ [from]: moved, ...rest }) => {
      calls.push(version);
      return { ...rest, [to]: moved, version: version + 1 };
    };
  const table = { 1: rename(1, 'a', 'b'), 2: rename(2, 'b', 'c') };

  it('runs each step in order up to the target', () => {
    calls.length = 0;
    const raw = deepFreeze({ version: 1, a: { x: 1 }, keep: true });
    const { value, from } = migrateSettings(raw, table, 3);
    expect(from).toBe(1);
    expect(value).toEqual({ version: 3, c: { x: 1 }, keep: true });
    expect(calls).toEqual([1, 2]);
    expect(raw).toEqual({ version: 1, a: { x: 1 }, keep: true });
  });

  it('starts from the file version and stops at the target', () => {
    calls.length = 0;
    expect(migrateSettings({ version: 2, b: 5 }, table, 3).value).toEqual({ version: 3, c: 5 });
    expect(calls).toEqual([2]);
    calls.length = 0;
    expect(migrateSettings({ version: 1, a: 5 }, table, 2).value).toEqual({ version: 2, b: 5 });
    expect(calls).toEqual([1]);
  });

  it('stamps the version even when a step forgets to', () => {
    const forgetful = { 1: (old: Record<string, unknown>) => ({ ...old, extra: 1 }) };
    expect(migrateSettings({ version: 1 }, forgetful, 2).value).toEqual({ version: 2, extra: 1 });
  });

  it('keeps the caller’s object safe from a step that mutates its input', () => {
    const careless = {
      1: (old: Record<string, unknown>) => {
        (old.nested as { n: number }).n = 99;
        return old;
      },
    };
    const raw = { version: 1, nested: { n: 1 } };
    expect(migrateSettings(raw, careless, 2).value).toEqual({ version: 2, nested: { n: 99 } });
    expect(raw).toEqual({ version: 1, nested: { n: 1 } });
  });

  it('throws when a step is missing or returns no object', () => {
    expect(() => migrateSettings({ version: 0 }, table, 3)).toThrow(
      /no settings migration from version 0/,
    );
    const broken = { 1: () => [] as unknown as Record<string, unknown> };
    expect(() => migrateSettings({ version: 1 }, broken, 2)).toThrow(/did not return an object/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
