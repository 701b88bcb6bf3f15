/** The ledger's file: durability, repair of a torn end, bad lines, legacy import, reopen. */
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type Logger } from '../../common/log.js';
import type { RewardSplit } from '../../common/protocol.js';
import { Ledger, type ServedJob } from '../../main/engine/ledger/ledger.js';
import { encodeRecord } from '../../main/engine/ledger/ledgerRecords.js';
import { servedJob as job, receiptFor } from '../support/ledgerFixtures.js';

const ALL_REWARDS: RewardSplit = { rewards: 100, exchange: 0, mission: 0 };
const posix = process.platform !== 'win32';
let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'byoi-ledger-file-'));
  dataDir = join(root, 'data');
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

/** Job ids in the CSV, in its order. */
const csvJobIds = (ledger: Ledger) =>
  ledger
    .toCsv()
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split(',')[1]);

async function withLedger<T>(fn: (ledger: Ledger) => Promise<T> | T, logger?: Logger) {
  const ledger = await Ledger.open({ dataDir, logger });
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

function capturingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) }),
  };
}

describe('the ledger file', () => {
  it('is created 0600 in a 0700 folder, one checksummed JSON line per record', async () => {
    const path = await withLedger(async (ledger) => {
      await ledger.recordJob(job('j1'));
      await ledger.addReceipt(receiptFor(job('j1')), 'sig', ALL_REWARDS);
      return ledger.path;
    });
    expect(path).toBe(join(dataDir, 'ledger.jsonl'));
    if (posix) {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as { t: string; crc: string })).toMatchObject([
      { t: 'job', crc: expect.stringMatching(/^[0-9a-f]{8}$/) },
      { t: 'receipt', crc: expect.stringMatching(/^[0-9a-f]{8}$/) },
    ]);
  });

  it('gives the same summary and CSV after a reopen', async () => {
    const now = new Date('2025-06-15T12:00:00.000Z');
    const before = await withLedger(async (ledger) => {
      await ledger.recordJob(job('a'));
      await ledger.recordJob(job('b', { model: 'big', servedAt: '2025-06-10T10:00:00.000Z' }));
      await ledger.addReceipt({ ...receiptFor(job('a')), promptTokens: 1 }, 's', {
        rewards: 20,
        exchange: 30,
        mission: 50,
      });
      await ledger.addReceipt(receiptFor(job('orphan')), 's', ALL_REWARDS);
      return { summary: ledger.summary(now), csv: ledger.toCsv() };
    });
    expect(before.summary.discrepancies).toHaveLength(2);
    const after = await withLedger((ledger) => ({
      summary: ledger.summary(now),
      csv: ledger.toCsv(),
    }));
    expect(after).toEqual(before);
  });

  it('acknowledges a batch of concurrent writes with one fsync, each only after it', async () => {
    await withLedger(async (ledger) => {
      await ledger.recordJob(job('warm-up'));
      const events: string[] = [];
      const probe = await open(join(root, 'probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
      await probe.close();
      const sync = proto.sync;
      vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
        await sync.call(this);
        events.push('fsync');
      });
      const writes = Array.from({ length: 50 }, (_, i) =>
        ledger.recordJob(job(`j${i}`)).then(() => events.push('ack')),
      );
      await Promise.all(writes);
      // The first write goes alone; the 49 queued behind it share the second fsync.
      expect(events).toEqual(['fsync', 'ack', 'fsync', ...Array<string>(49).fill('ack')]);
    });
  });

  it('waits for pending writes on close, and rejects writes after it', async () => {
    const ledger = await Ledger.open({ dataDir });
    const pending = ledger.recordJob(job('j1'));
    await ledger.close();
    await expect(pending).resolves.toBe(true);
    await expect(ledger.recordJob(job('j2'))).rejects.toThrow(/closed/);
    await expect(ledger.addReceipt(receiptFor(job('j1')), 's', ALL_REWARDS)).rejects.toThrow(
      /closed/,
    );
    expect(await withLedger(csvJobIds)).toEqual(['j1']);
  });
});

describe('reading damaged files', () => {
  async function threeJobs() {
    await withLedger(async (ledger) => {
      for (const id of ['j1', 'j2', 'j3'])
        await ledger.recordJob(job(id, { servedAt: `2025-06-1${id[1]}T00:00:00.000Z` }));
    });
    return join(dataDir, 'ledger.jsonl');
  }

  it('keeps a corrupt line in the middle as it is, counts it and warns once', async () => {
    const path = await threeJobs();
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1].replace('"promptTokens":100', '"promptTokens":900');
    writeFileSync(path, lines.join('\n'));
    const damaged = readFileSync(path);

    const { lines: logged, logger } = capturingLogger();
    await withLedger(async (ledger) => {
      expect(ledger.unreadableLines).toBe(1);
      expect(csvJobIds(ledger)).toEqual(['j1', 'j3']);
      expect(readFileSync(path)).toEqual(damaged);
      await ledger.recordJob(job('j4'));
    }, logger);
    expect(logged.filter((line) => line.includes('"level":"warn"'))).toHaveLength(1);

    expect(readFileSync(path).subarray(0, damaged.length)).toEqual(damaged);
    await withLedger((ledger) => {
      expect(ledger.unreadableLines).toBe(1);
      expect(csvJobIds(ledger)).toEqual(['j1', 'j3', 'j4']);
    });
  });

  it('sets a last line without newline, or failing its checksum, aside and cuts it off', async () => {
    const path = await threeJobs();
    const good = readFileSync(path);
    appendFileSync(path, '{"v":1,"t":"job","jobId":"torn"');
    await withLedger((ledger) => expect(ledger.unreadableLines).toBe(0));
    expect(readFileSync(path)).toEqual(good);
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe('{"v":1,"t":"job","jobId":"torn"\n');

    const lastStart = good.lastIndexOf('\n', good.length - 2) + 1;
    writeFileSync(path, Buffer.concat([good.subarray(0, lastStart), Buffer.from('garbage\n')]));
    await withLedger(async (ledger) => {
      expect(csvJobIds(ledger)).toEqual(['j1', 'j2']);
      expect(await ledger.recordJob(job('j3'))).toBe(true);
    });
    expect(readFileSync(`${path}.torn`, 'utf8')).toMatch(/"torn"\ngarbage\n$/);
    await withLedger((ledger) => expect(csvJobIds(ledger)).toEqual(['j1', 'j2', 'j3']));
  });

  it('counts an intact record of an unknown kind as unreadable and keeps it', async () => {
    const path = await threeJobs();
    const future = encodeRecord({ v: 2, t: 'payout' } as unknown as Parameters<
      typeof encodeRecord
    >[0]);
    appendFileSync(path, `${future}\n`);
    await withLedger((ledger) => expect(ledger.unreadableLines).toBe(1));
    expect(readFileSync(path, 'utf8').endsWith(`${future}\n`)).toBe(true);
  });

  it('ignores duplicate records an older build may have written: the first one wins', async () => {
    const path = await threeJobs();
    const again = encodeRecord({ v: 1, t: 'job', ...job('j1', { promptTokens: 999_999 }) });
    appendFileSync(path, `${again}\n`);
    await withLedger((ledger) => {
      expect(csvJobIds(ledger)).toEqual(['j1', 'j2', 'j3']);
      expect(ledger.summary().perModel[0]).toMatchObject({ promptTokens: 300, jobs: 3 });
    });
  });
});

describe('importing receipts.jsonl', () => {
  it('imports verified receipts once, and never changes receipts.jsonl', async () => {
    const stored = (served: ServedJob) =>
      JSON.stringify({
        receipt: receiptFor(served),
        signature: 'sig',
        receivedAt: served.servedAt,
      });
    const legacy = [
      stored(job('old1')),
      stored(job('old2')),
      stored(job('old1')),
      '{not json',
      '',
    ].join('\n');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'receipts.jsonl'), legacy);

    const first = await withLedger(async (ledger) => {
      expect(ledger.balances()).toMatchObject({ settled: 0.00063, pending: 0 });
      expect(ledger.summary().split).toEqual({ rewards: 0.00063, exchange: 0, mission: 0 });
      await ledger.recordJob(job('old1'));
      return ledger.summary();
    });
    expect(first.discrepancies.map((d) => d.jobId)).toEqual(['old2']);
    const ledgerBytes = readFileSync(join(dataDir, 'ledger.jsonl'));
    expect(ledgerBytes.toString('utf8').trim().split('\n')).toHaveLength(3);

    await withLedger((ledger) => expect(ledger.summary()).toEqual(first));
    expect(readFileSync(join(dataDir, 'ledger.jsonl'))).toEqual(ledgerBytes);
    expect(readFileSync(join(dataDir, 'receipts.jsonl'), 'utf8')).toBe(legacy);
  });
});
