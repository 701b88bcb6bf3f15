/**
 * The ledger under crashes: a writer process killed with SIGKILL at seeded-random moments
 * never loses an acknowledged record nor stores one twice, and a file cut at any byte of its
 * last record opens cleanly and keeps working.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, type ServedJob } from '../../main/engine/ledger/ledger.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = join(REPO, 'tests/support/ledgerWriter.ts');
const SEED = 0x1ed9e5;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'byoi-ledger-crash-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** mulberry32: a small seeded PRNG, so a failing round can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Round {
  acked: string[];
  receipts: string[];
  killed: boolean;
}

/** Runs the writer until it has printed `killAfter` acks, then SIGKILLs it. */
function runWriter(dataDir: string, count: number, killAfter: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, String(count)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const round: Round = { acked: [], receipts: [], killed: false };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const kill = () => {
    round.killed ||= child.kill('SIGKILL');
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, jobId] = line.split(' ');
    if (word === 'ack') round.acked.push(jobId);
    if (word === 'receipt') round.receipts.push(jobId);
    if ((word === 'ready' || word === 'ack') && round.acked.length >= killAfter) kill();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close' comes after stdout has ended, so every line the child wrote has been read.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(round);
      else reject(new Error(`writer exited ${code ?? signal}: ${stderr}`));
    });
  });
}

/** How many records of each kind the raw file holds per job id. */
function recordCounts(path: string): { jobs: Map<string, number>; receipts: Map<string, number> } {
  const jobs = new Map<string, number>();
  const receipts = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as { t: string; jobId?: string; receipt?: { jobId: string } };
    const [map, id] = record.t === 'job' ? [jobs, record.jobId] : [receipts, record.receipt?.jobId];
    map.set(String(id), (map.get(String(id)) ?? 0) + 1);
  }
  return { jobs, receipts };
}

/** Job ids of the CSV rows, and their status. */
function csvStatus(ledger: Ledger): Map<string, string> {
  const rows = ledger.toCsv().trim().split('\n').slice(1);
  return new Map(rows.map((row) => [row.split(',')[1], row.split(',')[9]]));
}

function job(jobId: string): ServedJob {
  return {
    jobId,
    model: 'après-crash',
    promptTokens: 1,
    completionTokens: 2,
    price: { prompt: 1, completion: 2 },
    feeBasisPoints: null,
    servedAt: '2025-07-01T00:00:00.000Z',
  };
}

describe('ledger crash safety', () => {
  it('keeps every acknowledged record exactly once across SIGKILLs', async () => {
    const dataDir = join(root, 'data');
    const path = join(dataDir, 'ledger.jsonl');
    const random = seeded(SEED);
    // Kill points from "right after open" to deep into a run, one drawn from each band; each
    // rerun starts at job-0 again, so it also retries everything the previous runs wrote.
    const bands = [
      [3, 10],
      [10, 40],
      [40, 120],
      [120, 250],
    ];
    const killPoints = [
      0,
      1,
      ...bands.map(([low, high]) => low + Math.floor(random() * (high - low))),
    ];
    const acked = new Set<string>();
    const receipted = new Set<string>();
    for (const [round, killAfter] of killPoints.entries()) {
      const result = await runWriter(dataDir, 2000, killAfter);
      result.acked.forEach((id) => acked.add(id));
      result.receipts.forEach((id) => receipted.add(id));
      const context = `seed ${SEED}, round ${round}, kill after ${killAfter}`;
      // Never done before the kill: 2000 jobs are far more than the acks it waits for.
      expect(result.killed, context).toBe(true);
      expect(result.acked.length, context).toBeGreaterThanOrEqual(killAfter);

      const counts = recordCounts(path);
      for (const [id, n] of [...counts.jobs, ...counts.receipts])
        expect(n, `${context}: ${id}`).toBe(1);
      const ledger = await Ledger.open({ dataDir });
      try {
        expect(ledger.unreadableLines, context).toBe(0);
        const status = csvStatus(ledger);
        for (const id of acked) expect(status.has(id), `${context}: ${id} lost`).toBe(true);
        for (const id of receipted) expect(status.get(id), `${context}: ${id}`).toBe('settled');
      } finally {
        await ledger.close();
      }
    }
    expect(acked.size).toBeGreaterThan(0);

    const ledger = await Ledger.open({ dataDir });
    expect(await ledger.recordJob(job('after-crash'))).toBe(true);
    await ledger.close();
    const reopened = await Ledger.open({ dataDir });
    expect(csvStatus(reopened).get('after-crash')).toBe('pending');
    await reopened.close();
  });

  it('opens a file cut at any byte of its last record: that record whole or absent', async () => {
    const source = join(root, 'source');
    const ids = ['j0', 'j1', 'j2', 'j3', 'j4', 'j5'];
    const writer = await Ledger.open({ dataDir: source });
    for (const id of ids) await writer.recordJob(job(id));
    await writer.close();
    const full = readFileSync(join(source, 'ledger.jsonl'));
    const lastStart = full.lastIndexOf('\n', full.length - 2) + 1;

    for (let length = lastStart; length <= full.length; length++) {
      const dataDir = join(root, `cut-${length}`);
      const path = join(dataDir, 'ledger.jsonl');
      const cut = full.subarray(0, length);
      mkdirSync(dataDir, { mode: 0o700 });
      writeFileSync(path, cut);
      const whole = length === full.length;
      const expected = whole ? ids : ids.slice(0, -1);

      const ledger = await Ledger.open({ dataDir });
      expect(ledger.unreadableLines).toBe(0);
      expect([...csvStatus(ledger).keys()]).toEqual(expected);
      if (length > lastStart && !whole) {
        expect(readFileSync(`${path}.torn`)).toEqual(
          Buffer.concat([full.subarray(lastStart, length), Buffer.from('\n')]),
        );
      }
      expect(await ledger.recordJob(job('j5'))).toBe(!whole);
      expect(await ledger.recordJob(job('new'))).toBe(true);
      await ledger.close();

      const counts = recordCounts(path);
      expect([...counts.jobs.values()].every((n) => n === 1)).toBe(true);
      const reopened = await Ledger.open({ dataDir });
      expect([...csvStatus(reopened).keys()], `cut at ${length}`).toEqual([...ids, 'new']);
      expect(reopened.unreadableLines).toBe(0);
      await reopened.close();
      rmSync(dataDir, { recursive: true });
    }
  });
});
