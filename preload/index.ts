/**
 * Preload bridge (placeholder). Exposes `window.byoi` and nothing else; the NodeApi verbs
 * from common/ will be added here. Runs sandboxed, so it is bundled to one CJS file.
 */
import { contextBridge } from 'electron';

/** What the renderer sees as `window.byoi`. */
export interface ByoiBridge {
  /** App version from package.json, inlined at build time. */
  readonly version: string;
}

const bridge: ByoiBridge = Object.freeze({ version: __BYOI_VERSION__ });

contextBridge.exposeInMainWorld('byoi', bridge);
