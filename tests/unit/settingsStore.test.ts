/** SettingsStore over the conf backend: defaults, migration, bad files set aside, updates. */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { defaultSettings, SETTINGS_VERSION, type Settings } from '../../common/settings.js';
import {
  confSettingsBackend,
  SETTINGS_FILE,
} from '../../main/engine/settings/confSettingsBackend.js';
import { SettingsError, SettingsStore } from '../../main/engine/settings/settingsStore.js';

const posix = process.platform !== 'win32';
/** 2026-11-24T10:00:00Z, for set-aside names. */
const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);
const BAD_NAME = `${SETTINGS_FILE}.bad-2026-11-24T10-00-00Z`;

let dataDir: string;
let file: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-settings-'));
  file = join(dataDir, SETTINGS_FILE);
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const backend = () => confSettingsBackend(dataDir, { now: () => NOW });
const open = (options?: Parameters<typeof SettingsStore.open>[1]) =>
  SettingsStore.open(backend(), options);
const onDisk = (): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Writes `text` as the settings file and returns it, to compare with what is kept. */
function plant(text: string): string {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, text);
  return text;
}

describe('SettingsStore.open', () => {
  it('uses the defaults with no file, and writes them with a version', () => {
    const store = open();
    expect(store.get()).toEqual(defaultSettings());
    expect(store.warning).toBeNull();
    expect(onDisk()).toEqual({ ...defaultSettings(), version: SETTINGS_VERSION });
  });

  it('applies `initial` only when the file is first created', () => {
    const first = open({ initial: { schedule: { mode: 'always' } } });
    expect(first.get().schedule.mode).toBe('always');
    first.update({ schedule: { mode: 'paused' } });
    const again = open({ initial: { schedule: { mode: 'always' } } });
    expect(again.get().schedule.mode).toBe('paused');
  });

  it('round-trips settings across a reopen', () => {
    const patch = {
      schedule: {
        idleThresholdSeconds: 900,
        windows: [{ days: [1, 2], start: '22:00', end: '07:00' }],
      },
      pricing: { models: { 'llama-3.1-8b': { prompt: 0.5, completion: 1.5 } } },
      rewards: { missionCause: 'open-source' },
    };
    const written = open().update(patch);
    const reopened = open();
    expect(reopened.get()).toEqual(written);
    expect(reopened.get().pricing.models['llama-3.1-8b']).toEqual({ prompt: 0.5, completion: 1.5 });
    expect(reopened.warning).toBeNull();
  });

  it('migrates an unversioned file and writes it back with the version', () => {
    plant(JSON.stringify({ schedule: { mode: 'scheduled' }, logPrompts: true }));
    const logs: string[] = [];
    const store = open({ logger: createLogger({ write: (line) => logs.push(line) }) });
    expect(store.warning).toBeNull();
    expect(store.get().schedule.mode).toBe('scheduled');
    expect(store.get().logPrompts).toBe(true);
    expect(onDisk()).toMatchObject({ version: SETTINGS_VERSION, schedule: { mode: 'scheduled' } });
    expect(logs.join('')).toMatch(/settings migrated.*from=0/);
    expect(readdirSync(dataDir)).toEqual([SETTINGS_FILE]);
  });

  it.each([
    [
      'corrupt JSON',
      '{"schedule": {"mode": "always"',
      /^settings\.json was not valid \(not JSON: /,
    ],
    [
      'a schema-invalid file',
      JSON.stringify({
        version: 1,
        schedule: { mode: 'sometimes', idleThresholdSeconds: 999_999 },
      }),
      /^settings\.json was not valid \(schedule\.mode: Invalid option: .*; schedule\.idleThresholdSeconds: Too big: expected number to be <=86400\)/,
    ],
    [
      'a too-new version',
      JSON.stringify({ version: SETTINGS_VERSION + 1, schedule: { mode: 'always' } }),
      /^settings\.json was not valid \(settings version \d+ was written by a newer build/,
    ],
    ['a JSON array', '[1, 2]', /must be a JSON object/],
  ])('sets %s aside, keeps its bytes, and uses the defaults', (_name, text, message) => {
    const original = plant(text);
    const logs: string[] = [];
    const store = open({ logger: createLogger({ write: (line) => logs.push(line) }) });
    expect(store.get()).toEqual(defaultSettings());
    expect(store.warning).toMatch(message);
    expect(store.warning).toContain(`it was kept as ${BAD_NAME} and the defaults are in use`);
    expect(readFileSync(join(dataDir, BAD_NAME), 'utf8')).toBe(original);
    expect(onDisk()).toEqual({ ...defaultSettings(), version: SETTINGS_VERSION });
    expect(logs.join('')).toMatch(/WARN.*settings file set aside/);
    // The next start finds a good file and says nothing.
    expect(open().warning).toBeNull();
  });

  it('never overwrites an earlier set-aside file', () => {
    const first = plant('not json');
    open();
    const second = plant('still not json');
    const store = open();
    expect(readFileSync(join(dataDir, BAD_NAME), 'utf8')).toBe(first);
    expect(readFileSync(join(dataDir, `${BAD_NAME}-2`), 'utf8')).toBe(second);
    expect(store.warning).toContain(`kept as ${BAD_NAME}-2`);
  });

  it('applies `initial` over the defaults that replace a bad file', () => {
    plant('{');
    const store = open({ initial: { schedule: { mode: 'always' } } });
    expect(store.get().schedule.mode).toBe('always');
    expect(store.warning).not.toBeNull();
  });

  it('throws read errors that are not about the content, and moves nothing', () => {
    if (!posix) return;
    mkdirSync(file); // a folder where the file should be: EISDIR
    expect(() => open()).toThrow(/EISDIR/);
    expect(readdirSync(dataDir)).toEqual([SETTINGS_FILE]);
  });

  it('writes the file with mode 0600', () => {
    open().update({ logPrompts: true });
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(onDisk()).toMatchObject({ logPrompts: true });
  });

  it('tightens a hand-made 0644 file to 0600 on the next write', () => {
    plant(JSON.stringify({ version: SETTINGS_VERSION }));
    if (posix) chmodSync(file, 0o644);
    open().update({ logPrompts: true });
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(onDisk()).toMatchObject({ version: SETTINGS_VERSION, logPrompts: true });
  });
});

describe('SettingsStore.update', () => {
  it('persists, then emits change with the new settings', () => {
    const store = open();
    const seen: Settings[] = [];
    store.on('change', (settings) => {
      // Persisted before listeners run.
      expect(onDisk()).toEqual(settings);
      seen.push(settings);
    });
    const next = store.update({ schedule: { mode: 'always', graceSeconds: 5 } });
    expect(next.schedule).toMatchObject({
      mode: 'always',
      graceSeconds: 5,
      idleThresholdSeconds: 300,
    });
    expect(seen).toEqual([next]);
    expect(store.get()).toEqual(next);
  });

  it.each([
    [
      'a field out of range',
      { schedule: { idleThresholdSeconds: 100_000 } },
      'schedule.idleThresholdSeconds: Too big: expected number to be <=86400',
    ],
    [
      'a wrong type',
      { logPrompts: 'yes' },
      'logPrompts: Invalid input: expected boolean, received string',
    ],
    [
      'a bad window',
      { schedule: { windows: [{ days: [7], start: '9:00', end: '17:00' }] } },
      'schedule.windows.0.days.0: Too big',
    ],
    ['not an object', 'always', 'Invalid input: expected object, received string'],
  ])('rejects %s with SettingsError, leaving file and state unchanged', (_name, patch, message) => {
    const store = open();
    store.update({ pricing: { models: { a: { prompt: 1, completion: 2 } } } });
    const before = readFileSync(file, 'utf8');
    const state = store.get();
    let events = 0;
    store.on('change', () => events++);
    const error = catchError(() => store.update(patch));
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toContain(message);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.get()).toBe(state);
    expect(events).toBe(0);
  });

  it('removes a model’s own price with null and keeps the others', () => {
    const store = open();
    store.update({
      pricing: { models: { a: { prompt: 1, completion: 2 }, b: { prompt: 3, completion: 4 } } },
    });
    const next = store.update({ pricing: { models: { a: null } } });
    expect(next.pricing.models).toEqual({ b: { prompt: 3, completion: 4 } });
    expect(open().get().pricing.models).toEqual({ b: { prompt: 3, completion: 4 } });
  });

  it('hands out frozen settings, so nobody changes them behind the store’s back', () => {
    const store = open();
    expect(() => {
      (store.get().schedule as { mode: string }).mode = 'always';
    }).toThrow(TypeError);
    expect(store.get().schedule.mode).toBe('idle');
  });

  it('throws SettingsError for an invalid `initial` before touching anything', () => {
    const original = plant('{');
    const error = catchError(() => open({ initial: { schedule: { graceSeconds: -1 } } }));
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(/^schedule\.graceSeconds: Too small/);
    expect(readFileSync(file, 'utf8')).toBe(original);
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
