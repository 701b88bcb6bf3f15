/**
 * Tray icons: `resources/tray-<state>.png` with a `@2x` beside it (Electron picks it on HiDPI
 * screens by itself), and on macOS the monochrome `tray-<state>Template.png` that the menu
 * bar tints (Electron treats a name ending in "Template" as a template image). The packaging
 * side owns the artwork and unpacks resources/ from app.asar; should a file be missing, a
 * plain coloured dot drawn here stands in, so the tray never shows an empty square.
 */
import { join } from 'node:path';
import type { ElectronDeps, ImageLike } from './electronDeps.js';
import type { TrayState } from './trayState.js';

/** The folder, relative to the app's root (`app.getAppPath()`), that holds the icons. */
export const TRAY_ICON_DIR = 'resources';

/** `<appPath>/resources/tray-<state>[Template].png`. */
export function trayIconPath(appPath: string, state: TrayState, platform: NodeJS.Platform): string {
  const template = platform === 'darwin' ? 'Template' : '';
  return join(appPath, TRAY_ICON_DIR, `tray-${state}${template}.png`);
}

/**
 * Where to look, in order: the unpacked copy beside app.asar first (Linux tray hosts are
 * handed a file path, which must be a real file), then the path inside the app.
 */
export function trayIconCandidates(
  appPath: string,
  state: TrayState,
  platform: NodeJS.Platform,
): string[] {
  const inApp = trayIconPath(appPath, state, platform);
  return appPath.endsWith('.asar')
    ? [trayIconPath(`${appPath}.unpacked`, state, platform), inApp]
    : [inApp];
}

/** RGB of the stand-in dot per state. */
const DOT_COLOURS: Record<TrayState, [number, number, number]> = {
  serving: [34, 197, 94],
  waiting: [59, 130, 246],
  paused: [234, 179, 8],
  offline: [148, 163, 184],
  error: [239, 68, 68],
};

const DOT_SIZE = 16;

/** A 16×16 BGRA bitmap of a filled circle (what nativeImage.createFromBitmap takes). */
export function dotBitmap(state: TrayState): Buffer {
  const [r, g, b] = DOT_COLOURS[state];
  const bitmap = Buffer.alloc(DOT_SIZE * DOT_SIZE * 4);
  const centre = (DOT_SIZE - 1) / 2;
  for (let y = 0; y < DOT_SIZE; y++) {
    for (let x = 0; x < DOT_SIZE; x++) {
      const inside = Math.hypot(x - centre, y - centre) <= DOT_SIZE / 2 - 1.5;
      bitmap.set(inside ? [b, g, r, 255] : [0, 0, 0, 0], (y * DOT_SIZE + x) * 4);
    }
  }
  return bitmap;
}

/** Loads each state's icon once, falling back to the dot where the file is missing. */
export function loadTrayIcons(
  deps: Pick<ElectronDeps, 'images' | 'platform'>,
  appPath: string,
): Record<TrayState, ImageLike> {
  const load = (state: TrayState): ImageLike => {
    for (const path of trayIconCandidates(appPath, state, deps.platform)) {
      const image = deps.images.fromPath(path);
      if (!image.isEmpty()) return image;
    }
    return deps.images.fromBitmap(dotBitmap(state), { width: DOT_SIZE, height: DOT_SIZE });
  };
  return {
    serving: load('serving'),
    waiting: load('waiting'),
    paused: load('paused'),
    offline: load('offline'),
    error: load('error'),
  };
}
