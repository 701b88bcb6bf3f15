import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the browser tests put screenshots: not committed (see .gitignore). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots-out/', import.meta.url));

/** The screenshot folder, created if needed. */
export function screenshotDir(): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return SCREENSHOT_DIR;
}
