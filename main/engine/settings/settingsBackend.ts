/** Where settings live, behind one small interface (conf in the product, a stand-in in tests). */
import type { Settings } from '../../../common/settings.js';

/**
 * Where settings live. Both the headless node and the app's engine use conf (the library
 * electron-store is built on): the engine runs in a utilityProcess, where electron-store's
 * `app` is not available, and the engine owns the settings.
 */
export interface SettingsBackend {
  /** The file, for messages. */
  readonly path: string;
  /**
   * Parsed JSON; undefined when there is no file. Throws a SyntaxError on unreadable JSON;
   * other errors (permissions, I/O) are not about the content and stop `open`.
   */
  read(): unknown | undefined;
  write(settings: Settings): void;
  /** Moves the current file aside to `<path>.bad-<timestamp>` (never deletes) and returns the new path. */
  setAside(): string;
}
