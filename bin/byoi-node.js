#!/usr/bin/env node
// Launches the built headless node (out/main/byoi-node.js); `npm run build` makes it.
import { existsSync } from 'node:fs';

const entry = new URL('../out/main/byoi-node.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "byoi-node: not built yet; run 'npm run build' in the project folder first\n",
  );
  process.exit(1);
}
await import(entry.href);
