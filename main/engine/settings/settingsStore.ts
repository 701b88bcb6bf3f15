/**
 * The provider's settings, in memory and on disk: read once, migrated, validated, then
 * changed only through validated patches. A file this build cannot use is set aside (never
 * deleted) and the defaults take its place, with a warning the dashboard shows.
 */
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../common/log.js';
import { silentLogger } from '../../../common/log.js';
import {
  applySettingsPatch,
  settingsPatchSchema,
  settingsSchema,
  SETTINGS_VERSION,
  type Settings,
  type SettingsPatch,
} from '../../../common/settings.js';
import { migrateSettings, SettingsVersionError } from '../../../common/settingsMigrations.js';

import type { SettingsBackend } from './settingsBackend.js';

/** Bad settings input; the message names each bad field. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const MAX_LISTED_ISSUES = 3;

/** "schedule.idleThresholdSeconds: Too big: expected number to be <=86400; …" */
export function describeIssues(error: z.ZodError): string {
  const listed = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export interface SettingsStoreOptions {
  logger?: Logger;
  /** Applied over the defaults when there is no usable file (e.g. headless: mode 'always'). */
  initial?: SettingsPatch;
}

/** What `open` found in the file. */
type Loaded =
  | { kind: 'missing' }
  | { kind: 'ok'; settings: Settings; from: number }
  | { kind: 'bad'; problem: string };

function load(backend: SettingsBackend): Loaded {
  let raw: unknown;
  try {
    raw = backend.read();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { kind: 'bad', problem: `not JSON: ${error.message}` };
  }
  if (raw === undefined) return { kind: 'missing' };
  let migrated: { value: Record<string, unknown>; from: number };
  try {
    migrated = migrateSettings(raw);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SettingsVersionError) return { kind: 'bad', problem: message };
    return { kind: 'bad', problem: `migration failed: ${message}` };
  }
  const parsed = settingsSchema.safeParse(migrated.value);
  if (!parsed.success) return { kind: 'bad', problem: describeIssues(parsed.error) };
  return { kind: 'ok', settings: parsed.data, from: migrated.from };
}

/** The settings, validated and persisted; emits 'change' after each update. */
export class SettingsStore extends EventEmitter<{ change: [Settings] }> {
  /** Why the file in place was set aside at open, or null when it was fine. */
  readonly warning: string | null;
  readonly #backend: SettingsBackend;
  #settings: Settings;

  private constructor(backend: SettingsBackend, settings: Settings, warning: string | null) {
    super();
    this.#backend = backend;
    this.#settings = deepFreeze(settings);
    this.warning = warning;
  }

  /**
   * Reads, migrates and validates; a bad, corrupt or too-new file is set aside (kept) and
   * defaults are used, with `warning` saying so. `initial` is applied only when no file
   * exists yet (e.g. headless nodes start in mode 'always'), and over the defaults that
   * replace a set-aside file, since it describes the machine rather than a choice the
   * provider made. Throws SettingsError when `initial` itself is invalid.
   */
  static open(backend: SettingsBackend, options: SettingsStoreOptions = {}): SettingsStore {
    const logger = options.logger ?? silentLogger;
    const loaded = load(backend);
    if (loaded.kind === 'ok') {
      if (loaded.from < SETTINGS_VERSION) {
        backend.write(loaded.settings);
        logger.info('settings migrated', { from: loaded.from, to: SETTINGS_VERSION });
      }
      return new SettingsStore(backend, loaded.settings, null);
    }
    const fresh = patched(settingsSchema.parse({}), options.initial ?? {});
    let warning: string | null = null;
    if (loaded.kind === 'bad') {
      const keptAt = backend.setAside();
      const name = basename(backend.path);
      warning =
        `${name} was not valid (${loaded.problem}); it was kept as ${basename(keptAt)} ` +
        'and the defaults are in use';
      logger.warn('settings file set aside', {
        path: backend.path,
        keptAt,
        problem: loaded.problem,
      });
    }
    backend.write(fresh);
    return new SettingsStore(backend, fresh, warning);
  }

  /** The current settings. Frozen: change them with `update`. */
  get(): Settings {
    return this.#settings;
  }

  /**
   * Validates the patch (settingsPatchSchema) and the result (applySettingsPatch from
   * common/settings.ts); throws SettingsError and changes nothing on bad input; persists,
   * then emits 'change'. A failed write throws as it is and changes nothing either.
   */
  update(patch: unknown): Settings {
    const parsed = settingsPatchSchema.safeParse(patch);
    if (!parsed.success) throw new SettingsError(describeIssues(parsed.error));
    const next = patched(this.#settings, parsed.data);
    this.#backend.write(next);
    this.#settings = deepFreeze(next);
    this.emit('change', next);
    return next;
  }
}

/** applySettingsPatch, with its validation failure as a SettingsError. */
function patched(settings: Settings, patch: SettingsPatch): Settings {
  try {
    return applySettingsPatch(settings, patch);
  } catch (error) {
    if (error instanceof z.ZodError) throw new SettingsError(describeIssues(error));
    throw error;
  }
}
