#!/usr/bin/env node
// Launches the built gateway (out/main/byoi-gateway.js); `npm run build` makes it.
import { existsSync } from 'node:fs';

const entry = new URL('../out/main/byoi-gateway.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "byoi-gateway: not built yet; run 'npm run build' in the project folder first\n",
  );
  process.exit(1);
}
await import(entry.href);
