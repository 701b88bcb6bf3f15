/** The ledger's accounting: balances, settlement, discrepancies, windows, split and CSV. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Receipt, RewardSplit } from '../../common/protocol.js';
import { Ledger } from '../../main/engine/ledger/ledger.js';
import { NO_GATEWAY_RECORD } from '../../main/engine/ledger/reconcile.js';
import { servedJob as job, receiptFor } from '../support/ledgerFixtures.js';

const ALL_REWARDS: RewardSplit = { rewards: 100, exchange: 0, mission: 0 };
let dataDir: string;
let ledger: Ledger;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-ledger-'));
  ledger = await Ledger.open({ dataDir });
});

afterEach(async () => {
  await ledger.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('balances', () => {
  it('counts a job as pending at its expected credit until its receipt settles it', async () => {
    const served = job('j1');
    expect(await ledger.recordJob(served)).toBe(true);
    expect(ledger.balances()).toMatchObject({ pending: 0.000315, settled: 0, lifetime: 0.000315 });

    // The gateway credits less than foreseen (its fee went up): the receipt's amount counts.
    const receipt = { ...receiptFor(served), feeNanos: 50_000, creditedNanos: 300_000 };
    expect(await ledger.addReceipt(receipt, 'sig', ALL_REWARDS)).toBe(true);
    expect(ledger.balances()).toMatchObject({ pending: 0, settled: 0.0003, lifetime: 0.0003 });
  });

  it('treats an unknown fee as no fee', async () => {
    await ledger.recordJob(job('j1', { feeBasisPoints: null }));
    expect(ledger.balances().pending).toBe(0.00035);
  });

  it('rejects an invalid job or receipt and writes nothing', async () => {
    await expect(ledger.recordJob(job('j1', { promptTokens: -1 }))).rejects.toThrow();
    await expect(ledger.recordJob(job('j2', { servedAt: 'yesterday' }))).rejects.toThrow();
    const receipt = receiptFor(job('j3'));
    const badSplit = { rewards: 50, exchange: 50, mission: 50 };
    await expect(ledger.addReceipt(receipt, 'sig', badSplit)).rejects.toThrow();
    await expect(ledger.addReceipt(receipt, 'x'.repeat(5000), ALL_REWARDS)).rejects.toThrow();
    await expect(
      ledger.addReceipt({ ...receipt, creditedNanos: -1 }, 's', ALL_REWARDS),
    ).rejects.toThrow();
    expect(ledger.balances().lifetime).toBe(0);
    expect(ledger.toCsv().trim().split('\n')).toHaveLength(1);
  });
});

describe('discrepancies', () => {
  const cases: [string, Partial<Receipt>, string][] = [
    // Each receipt keeps the charge of the metered job, so that only one thing differs.
    [
      'prompt tokens',
      { promptTokens: 90, chargedNanos: 350_000 },
      'prompt tokens: receipt 90, metered 100',
    ],
    [
      'completion tokens',
      { completionTokens: 190, chargedNanos: 350_000 },
      'completion tokens: receipt 190, metered 200',
    ],
    [
      'prompt price',
      { price: { prompt: 0.25, completion: 1.5 }, chargedNanos: 350_000 },
      'prompt price: receipt 0.25, metered 0.5',
    ],
    [
      'completion price',
      { price: { prompt: 0.5, completion: 2 }, chargedNanos: 350_000 },
      'completion price: receipt 2, metered 1.5',
    ],
    ['charge', { chargedNanos: 360_000 }, 'charged nano-USD: receipt 360000, metered 350000'],
    ['model', { model: 'other' }, 'model: receipt other, metered tiny'],
  ];
  it.each(cases)('reports a receipt whose %s disagrees', async (_kind, overrides, detail) => {
    const served = job('j1');
    await ledger.recordJob(served);
    await ledger.addReceipt(receiptFor(served, overrides), 'sig', ALL_REWARDS);
    expect(ledger.summary().discrepancies).toEqual([
      { jobId: 'j1', model: 'tiny', detail, at: served.servedAt },
    ]);
  });

  it('joins several differences, and reports nothing for a receipt that agrees', async () => {
    const [a, b] = [job('a'), job('b')];
    await ledger.recordJob(a);
    await ledger.recordJob(b);
    await ledger.addReceipt(
      receiptFor(a, { promptTokens: 1, completionTokens: 2 }),
      's',
      ALL_REWARDS,
    );
    await ledger.addReceipt(receiptFor(b), 's', ALL_REWARDS);
    expect(ledger.summary().discrepancies.map((d) => d.detail)).toEqual([
      'prompt tokens: receipt 1, metered 100; completion tokens: receipt 2, metered 200; ' +
        'charged nano-USD: receipt 3500, metered 350000',
    ]);
  });

  it('reconciles a receipt that arrives before its job', async () => {
    const served = job('j1', { servedAt: '2025-06-15T09:00:00.000Z' });
    await ledger.addReceipt(receiptFor(served), 'sig', ALL_REWARDS);
    expect(ledger.summary().discrepancies).toEqual([
      { jobId: 'j1', model: 'tiny', detail: 'no local record of this job', at: served.servedAt },
    ]);
    expect(ledger.balances()).toMatchObject({ settled: 0.000315, pending: 0 });

    await ledger.recordJob(served);
    expect(ledger.summary().discrepancies).toEqual([]);
    expect(ledger.balances()).toMatchObject({ settled: 0.000315, pending: 0, lifetime: 0.000315 });
  });

  it('lists discrepancies newest receipt first', async () => {
    for (const [id, issuedAt] of [
      ['old', '2025-06-01T00:00:00.000Z'],
      ['new', '2025-06-03T00:00:00.000Z'],
      ['mid', '2025-06-02T00:00:00.000Z'],
    ]) {
      await ledger.addReceipt(receiptFor(job(id), { issuedAt }), 's', ALL_REWARDS);
    }
    expect(ledger.summary().discrepancies.map((d) => d.jobId)).toEqual(['new', 'mid', 'old']);
  });

  it('shows a pending job the gateway does not know until its receipt comes', async () => {
    const served = job('lost', { servedAt: '2025-06-04T00:00:00.000Z' });
    await ledger.recordJob(job('waiting'));
    await ledger.recordJob(served);
    await ledger.addReceipt(receiptFor(job('settled')), 's', ALL_REWARDS);
    await ledger.recordJob(job('settled'));
    expect(ledger.pendingJobIds()).toEqual(['waiting', 'lost']);
    expect(ledger.pendingJobIds(1)).toEqual(['waiting']);

    // Ids that are not pending here (settled, or never served) are not marked.
    ledger.markUnknownAtGateway(['lost', 'settled', 'never-served']);
    expect(ledger.summary().discrepancies).toEqual([
      { jobId: 'lost', model: 'tiny', detail: NO_GATEWAY_RECORD, at: served.servedAt },
    ]);
    expect(ledger.balances().pending).toBeCloseTo(2 * 0.000315, 12);
    expect(ledger.toCsv()).toMatch(/,lost,.*,pending,the gateway has no receipt of this job\n/);

    await ledger.addReceipt(receiptFor(served), 's', ALL_REWARDS);
    expect(ledger.summary().discrepancies).toEqual([]);
    expect(ledger.pendingJobIds()).toEqual(['waiting']);
  });
});

describe('duplicates', () => {
  it('records a job id and a receipt once, even when asked twice at the same time', async () => {
    const served = job('j1');
    expect(await Promise.all([ledger.recordJob(served), ledger.recordJob(served)])).toEqual([
      true,
      false,
    ]);
    expect(await ledger.recordJob({ ...served, promptTokens: 5 })).toBe(false);
    const receipt = receiptFor(served);
    const twice = [
      ledger.addReceipt(receipt, 's', ALL_REWARDS),
      ledger.addReceipt(receipt, 's', ALL_REWARDS),
    ];
    expect(await Promise.all(twice)).toEqual([true, false]);
    expect(ledger.balances()).toMatchObject({ settled: 0.000315, lifetime: 0.000315 });
    expect(ledger.toCsv().trim().split('\n')).toHaveLength(2);
  });
});

describe('windows, days and models', () => {
  const local = (...parts: [number, number, number, number?, number?]) =>
    new Date(...(parts as [number, number, number, number, number])).toISOString();
  const now = new Date(2025, 5, 15, 12, 0);

  it('counts today, the last 7 and 30 local days, and lifetime by servedAt', async () => {
    const at: [string, string][] = [
      ['today', local(2025, 5, 15, 0, 1)],
      ['yesterday', local(2025, 5, 14, 23, 59)],
      ['day7', local(2025, 5, 9, 0, 0)],
      ['day8', local(2025, 5, 8, 23, 59)],
      ['day30', local(2025, 4, 17, 0, 0)],
      ['day31', local(2025, 4, 16, 23, 59)],
      ['tomorrow', local(2025, 5, 16, 0, 0)],
    ];
    for (const [id, servedAt] of at) await ledger.recordJob(job(id, { servedAt }));
    const unit = 0.000315;
    const balances = ledger.balances(now);
    expect(balances.today).toBeCloseTo(unit, 12);
    expect(balances.last7Days).toBeCloseTo(3 * unit, 12);
    expect(balances.last30Days).toBeCloseTo(5 * unit, 12);
    expect(balances.lifetime).toBeCloseTo(7 * unit, 12);
    expect(ledger.summary(now).perDay.map((p) => p.key)).toEqual([
      '2025-05-17',
      '2025-06-08',
      '2025-06-09',
      '2025-06-14',
      '2025-06-15',
    ]);
  });

  it('counts whole local days across a DST change', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // 9 March 2025 had 23 hours there: 6 × 24 h back from midnight would miss 4 March 00:30.
      await ledger.recordJob(job('in', { servedAt: local(2025, 2, 4, 0, 30) }));
      await ledger.recordJob(job('out', { servedAt: local(2025, 2, 3, 23, 30) }));
      expect(ledger.balances(new Date(2025, 2, 10, 12)).last7Days).toBe(0.000315);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('sums per day and per model, a receipt without a job by its issuedAt', async () => {
    await ledger.recordJob(job('a', { servedAt: local(2025, 5, 14, 10) }));
    await ledger.recordJob(
      job('b', { servedAt: local(2025, 5, 15, 10), model: 'big', promptTokens: 1000 }),
    );
    const orphan = job('c', { model: 'big', servedAt: local(2025, 5, 14, 11) });
    await ledger.addReceipt(receiptFor(orphan), 's', ALL_REWARDS);

    const summary = ledger.summary(now);
    expect(summary.perDay).toEqual([
      { key: '2025-06-14', amount: 0.00063, jobs: 2, promptTokens: 200, completionTokens: 400 },
      { key: '2025-06-15', amount: 0.00072, jobs: 1, promptTokens: 1000, completionTokens: 200 },
    ]);
    expect(summary.perModel).toEqual([
      { key: 'big', amount: 0.001035, jobs: 2, promptTokens: 1100, completionTokens: 400 },
      { key: 'tiny', amount: 0.000315, jobs: 1, promptTokens: 100, completionTokens: 200 },
    ]);
  });
});

describe('split', () => {
  it('splits each settled credit by its own split, the rounding remainder to mission', async () => {
    const a = job('a');
    const b = job('b');
    await ledger.addReceipt({ ...receiptFor(a), creditedNanos: 999 }, 's', {
      rewards: 33,
      exchange: 33,
      mission: 34,
    });
    await ledger.addReceipt({ ...receiptFor(b), creditedNanos: 1001 }, 's', {
      rewards: 50,
      exchange: 50,
      mission: 0,
    });
    await ledger.recordJob(job('pending')); // unsettled: not split
    // a: 329 + 329 + 341; b: 500 + 500 + 1.
    expect(ledger.summary().split).toEqual({ rewards: 829e-9, exchange: 829e-9, mission: 342e-9 });
  });
});

describe('toCsv', () => {
  it('writes one row per job, oldest first, escaped per RFC 4180', async () => {
    const odd = job('odd', { model: 'a,"b"\nc', servedAt: '2025-06-15T11:00:00.000Z' });
    await ledger.recordJob(odd);
    await ledger.recordJob(job('first', { servedAt: '2025-06-15T09:00:00.000Z' }));
    await ledger.addReceipt(receiptFor(odd, { completionTokens: 190 }), 's', ALL_REWARDS);
    await ledger.addReceipt(receiptFor(job('=cmd()')), 's', ALL_REWARDS);

    expect(ledger.toCsv()).toBe(
      'served_at,job_id,model,prompt_tokens,completion_tokens,price_prompt_per_1m,' +
        'price_completion_per_1m,expected_usd,settled_usd,status,discrepancy\n' +
        '2025-06-15T09:00:00.000Z,first,tiny,100,200,0.5,1.5,0.000315000,,pending,\n' +
        "2025-06-15T10:00:00.000Z,'=cmd(),tiny,100,200,0.5,1.5,,0.000315000,settled," +
        'no local record of this job\n' +
        '2025-06-15T11:00:00.000Z,odd,"a,""b""\nc",100,200,0.5,1.5,0.000315000,0.000301500,' +
        'settled,"completion tokens: receipt 190, metered 200; ' +
        'charged nano-USD: receipt 335000, metered 350000"\n',
    );
  });
});
