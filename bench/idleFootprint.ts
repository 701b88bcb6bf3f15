/**
 * The headless node's footprint while it serves nothing: CPU use and resident memory of a
 * demo node (linked to a real gateway, model loaded, scheduler and heartbeats running) over
 * a minute, next to a bare `node` process idling in the same run as the baseline.
 * Linux only (reads /proc). Usage: npm run bench:idle -- [--seconds N] [--model small|tiny]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startDemo } from '../demo/startDemo.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    model: { type: 'string', default: 'small' },
  },
});
const seconds = Number(values.seconds);
const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** CPU % and peak RSS of each process over the same window, sampled every second. */
async function measure(pids: number[]) {
  const cpu0 = pids.map(cpuSeconds);
  const started = performance.now();
  const peak = pids.map(() => 0);
  for (let i = 0; i < seconds; i++) {
    await delay(1000);
    pids.forEach((pid, index) => (peak[index] = Math.max(peak[index]!, rssMB(pid))));
  }
  const elapsed = (performance.now() - started) / 1000;
  return pids.map((pid, index) => ({
    cpuPercent: (100 * (cpuSeconds(pid) - cpu0[index]!)) / elapsed,
    rssMB: peak[index]!,
  }));
}

const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const demo = await startDemo({ nodes: 1, model: values.model === 'tiny' ? 'tiny' : 'small' });
try {
  await delay(3000); // past start-up work
  const [node, baseline] = await measure([demo.nodes[0]!.process.ready.pid, bare.pid!]);
  const f = (n: number, digits = 2) => n.toFixed(digits);
  console.log(
    `idle footprint over ${seconds} s, ${demo.model} model loaded, linked, serving nothing`,
  );
  console.log(
    `  byoi-node: CPU ${f(node!.cpuPercent)} % of one core, peak RSS ${f(node!.rssMB, 1)} MB`,
  );
  console.log(
    `  bare node baseline: CPU ${f(baseline!.cpuPercent)} %, peak RSS ${f(baseline!.rssMB, 1)} MB`,
  );
  console.log(`  RSS ratio node ÷ baseline: ${f(node!.rssMB / baseline!.rssMB)}`);
} finally {
  bare.kill();
  await demo.stop();
}
