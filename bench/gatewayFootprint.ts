/**
 * The gateway's start-up footprint: time until `byoi-gateway --json` prints its ready line, on a
 * fresh data folder and on a restart of the same folder, and its resident memory at idle after
 * ready, next to a bare `node -e` process started and measured in the same run as the baseline.
 * Linux only (reads /proc). Build first (`npm run build`). Usage:
 * npm run bench:footprint -- [--runs N] [--settle-ms MS]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { GATEWAY_BIN } from '../demo/jsonProcess.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'settle-ms': { type: 'string', default: '2000' },
  },
});
const runs = Number(values.runs);
const settleMs = Number(values['settle-ms']);

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Starts `node args`, waits for its first stdout line, lets it idle, reads its RSS, stops it. */
async function startOnce(args: string[]): Promise<{ readyMs: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    exited.then(([code]) => {
      throw new Error(`${args.join(' ')} exited with ${String(code)} before it was ready`);
    }),
  ]);
  const readyMs = performance.now() - started;
  await delay(settleMs);
  const rss = rssMB(child.pid!);
  child.kill('SIGTERM');
  await exited;
  return { readyMs, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bareArgs = ['-e', "console.log('ready'); setInterval(() => {}, 1000)"];
const rows = { bare: [] as { readyMs: number; rss: number }[], fresh: [], restart: [] } as Record<
  'bare' | 'fresh' | 'restart',
  { readyMs: number; rss: number }[]
>;
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'byoi-footprint-'));
  const gatewayArgs = [GATEWAY_BIN, '--json', '--data-dir', dataDir, '--port', '0'];
  try {
    rows.bare.push(await startOnce(bareArgs));
    rows.fresh.push(await startOnce(gatewayArgs));
    rows.restart.push(await startOnce(gatewayArgs));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const f = (n: number, digits = 0) => n.toFixed(digits);
const bareReady = median(rows.bare.map((r) => r.readyMs));
const bareRss = median(rows.bare.map((r) => r.rss));
console.log(`gateway footprint, medians of ${runs} runs, RSS ${settleMs} ms after ready`);
console.log(`  bare node baseline: ready ${f(bareReady)} ms, RSS ${f(bareRss, 1)} MB`);
for (const kind of ['fresh', 'restart'] as const) {
  const ready = median(rows[kind].map((r) => r.readyMs));
  const rss = median(rows[kind].map((r) => r.rss));
  console.log(
    `  byoi-gateway ${kind.padEnd(7)}: ready ${f(ready)} ms (${f(ready / bareReady, 1)}× baseline), ` +
      `RSS ${f(rss, 1)} MB (${f(rss / bareRss, 1)}× baseline)`,
  );
}
