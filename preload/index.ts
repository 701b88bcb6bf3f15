/**
 * Preload (sandboxed; electron-vite bundles it to one CJS file that requires only
 * `electron`). Exposes `window.byoi` (see bridge.ts) and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld(
  'byoi',
  createBridge(ipcRenderer, __BYOI_VERSION__, process.platform),
);
