/**
 * Property: the ledger's figures depend only on which records it holds, never on the order they
 * came in or on how often: any shuffle of jobs and receipts, each sent one to three times,
 * sequentially or all at once, gives the summary of the in-order, deduplicated replay, and so
 * does reopening the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceJob, type Receipt, type RewardSplit } from '../../common/protocol.js';
import { Ledger, type ServedJob } from '../../main/engine/ledger/ledger.js';

type Op =
  { kind: 'job'; job: ServedJob } | { kind: 'receipt'; receipt: Receipt; split: RewardSplit };

const NOW = new Date('2025-06-20T12:00:00.000Z');
const DAY = 86_400_000;

const priceArb = fc.record({
  prompt: fc.constantFrom(0, 0.1, 0.5, 2),
  completion: fc.constantFrom(0, 0.2, 1.5, 7.25),
});
const splitArb = fc
  .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
  .map(([a, b]): RewardSplit => {
    const [low, high] = a <= b ? [a, b] : [b, a];
    return { rewards: low, exchange: high - low, mission: 100 - high };
  });

const jobArb = (jobId: string) =>
  fc.record({
    jobId: fc.constant(jobId),
    model: fc.constantFrom('tiny', 'big', 'huge'),
    promptTokens: fc.integer({ min: 0, max: 5000 }),
    completionTokens: fc.integer({ min: 0, max: 5000 }),
    price: priceArb,
    feeBasisPoints: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
    // From 40 days before NOW to a day after it, so every window has edges to cross.
    servedAt: fc
      .integer({ min: -40 * DAY, max: DAY })
      .map((ms) => new Date(NOW.getTime() + ms).toISOString()),
  });

/** What the gateway signs: agreeing with the job, or off in tokens, price or charge. */
const receiptArb = (job: ServedJob) =>
  fc
    .record({
      promptDelta: fc.constantFrom(0, 0, 0, 1, -1),
      completionPrice: fc.option(fc.constantFrom(0.3, 9), { nil: undefined }),
      chargeDelta: fc.constantFrom(0, 0, 0, 7),
      feeBasisPoints: fc.integer({ min: 0, max: 2000 }),
      issuedLater: fc.integer({ min: 0, max: DAY }),
    })
    .map((d): Receipt => {
      const promptTokens = Math.max(0, job.promptTokens + d.promptDelta);
      const price = { ...job.price, completion: d.completionPrice ?? job.price.completion };
      const amounts = priceJob(price, promptTokens, job.completionTokens, d.feeBasisPoints);
      return {
        jobId: job.jobId,
        nodeId: 'node',
        model: job.model,
        promptTokens,
        completionTokens: job.completionTokens,
        price,
        ...amounts,
        chargedNanos: amounts.chargedNanos + d.chargeDelta,
        issuedAt: new Date(Date.parse(job.servedAt) + d.issuedLater).toISOString(),
      };
    });

/** Per job id: the job, its receipt, both, in canonical order (job first). */
const opsArb: fc.Arbitrary<Op[]> = fc
  .array(fc.constantFrom('job', 'receipt', 'both'), { minLength: 1, maxLength: 12 })
  .chain((shapes) =>
    fc.tuple(
      ...shapes.map((shape, i) =>
        jobArb(`job-${i}`).chain((job) =>
          fc.tuple(receiptArb(job), splitArb).map(([receipt, split]): Op[] => {
            const ops: Op[] = [];
            if (shape !== 'receipt') ops.push({ kind: 'job', job });
            if (shape !== 'job') ops.push({ kind: 'receipt', receipt, split });
            return ops;
          }),
        ),
      ),
    ),
  )
  .map((perJob) => perJob.flat());

/** The ops, each one to three times, in any order. */
const replayArb = (ops: Op[]) =>
  fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: ops.length, maxLength: ops.length })
    .chain((counts) => {
      const repeated = ops.flatMap((op, i) => Array<Op>(counts[i]).fill(op));
      return fc.shuffledSubarray(repeated, { minLength: repeated.length });
    });

const send = (ledger: Ledger, op: Op) =>
  op.kind === 'job' ? ledger.recordJob(op.job) : ledger.addReceipt(op.receipt, 'sig', op.split);

let root: string;
let dirs = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'byoi-ledger-replay-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function withFreshLedger<T>(fn: (ledger: Ledger, dataDir: string) => Promise<T>) {
  const dataDir = join(root, String(dirs++));
  const ledger = await Ledger.open({ dataDir });
  try {
    return await fn(ledger, dataDir);
  } finally {
    await ledger.close();
  }
}

/** Independent of the ledger's code: pending and settled in nano-USD. */
function oracle(ops: Op[]) {
  const receipted = new Set(ops.flatMap((op) => (op.kind === 'receipt' ? [op.receipt.jobId] : [])));
  let pending = 0;
  let settled = 0;
  for (const op of ops) {
    if (op.kind === 'receipt') settled += op.receipt.creditedNanos;
    else if (!receipted.has(op.job.jobId)) {
      const { price, promptTokens, completionTokens, feeBasisPoints } = op.job;
      pending += priceJob(price, promptTokens, completionTokens, feeBasisPoints ?? 0).creditedNanos;
    }
  }
  return { pending, settled };
}

describe('ledger replay', () => {
  it('gives the same summary whatever the order and multiplicity of records', async () => {
    const scenario = opsArb.chain((ops) =>
      fc.tuple(fc.constant(ops), replayArb(ops), fc.boolean()),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ([ops, replay, concurrent]) => {
        const canonical = await withFreshLedger(async (ledger) => {
          for (const op of ops) expect(await send(ledger, op)).toBe(true);
          return { summary: ledger.summary(NOW), csv: ledger.toCsv() };
        });
        const { pending, settled } = oracle(ops);
        expect(Math.round(canonical.summary.pending * 1e9)).toBe(pending);
        expect(Math.round(canonical.summary.settled * 1e9)).toBe(settled);

        const dataDir = await withFreshLedger(async (ledger, dir) => {
          const results = concurrent
            ? await Promise.all(replay.map((op) => send(ledger, op)))
            : await replay.reduce<Promise<boolean[]>>(
                async (done, op) => [...(await done), await send(ledger, op)],
                Promise.resolve([]),
              );
          // Exactly one acceptance per distinct record, however often it was sent.
          expect(results.filter(Boolean)).toHaveLength(ops.length);
          expect({ summary: ledger.summary(NOW), csv: ledger.toCsv() }).toEqual(canonical);
          return dir;
        });

        const reopened = await Ledger.open({ dataDir });
        try {
          expect(reopened.unreadableLines).toBe(0);
          expect({ summary: reopened.summary(NOW), csv: reopened.toCsv() }).toEqual(canonical);
        } finally {
          await reopened.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
