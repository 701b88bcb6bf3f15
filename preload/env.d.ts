/** Inlined by electron.vite.config.ts (`preload.define`). */
declare const __BYOI_VERSION__: string;
