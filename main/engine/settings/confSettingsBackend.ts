/**
 * The headless node's settings file, through `conf` (the library electron-store is built on,
 * so the app and headless agree on the file). conf is only trusted to write: it throws on
 * invalid JSON when it is constructed, so the file is read and parsed here, and the conf
 * instance is created on the first write, after the store has read, migrated or set aside
 * whatever was there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type { Settings } from '../../../common/settings.js';
import { setAsideFile } from './setAside.js';
import type { SettingsBackend } from './settingsBackend.js';

/** The settings file's name in the data folder. */
export const SETTINGS_FILE = 'settings.json';

export interface ConfSettingsBackendOptions {
  /** The clock for set-aside names (tests). */
  now?: () => number;
}

/** conf@15 backend for the headless node: <dataDir>/settings.json, file mode 0600. */
export function confSettingsBackend(
  dataDir: string,
  options: ConfSettingsBackendOptions = {},
): SettingsBackend {
  const path = join(dataDir, SETTINGS_FILE);
  const now = options.now ?? Date.now;
  let conf: Conf<Settings> | undefined;

  const open = () =>
    new Conf<Settings>({
      cwd: dataDir,
      configName: 'settings',
      fileExtension: 'json',
      // Model ids contain dots ("llama-3.1-8b"); the whole object is written at once anyway.
      accessPropertiesByDotNotation: false,
      // Never let conf drop a file silently: the store sets bad files aside instead.
      clearInvalidConfig: false,
      // It holds prices and the payout split: nobody else on the machine needs to read them.
      configFileMode: 0o600,
      serialize: (value) => JSON.stringify(value, null, 2) + '\n',
    });

  return {
    path,
    read() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return JSON.parse(text) as unknown;
    },
    write(settings) {
      conf ??= open();
      // conf's setter may add its `__internal__` key to the object it is given.
      conf.store = structuredClone(settings);
    },
    setAside() {
      return setAsideFile(path, now());
    },
  };
}
