/** Served jobs and honest receipts for the ledger tests. */
import { priceJob, type Receipt } from '../../common/protocol.js';
import type { ServedJob } from '../../main/engine/ledger/ledger.js';

/** 100 prompt + 200 completion tokens at 0.5/1.5 USD per 1M, 10% fee: 315,000 nano-USD credit. */
export function servedJob(jobId: string, overrides: Partial<ServedJob> = {}): ServedJob {
  return {
    jobId,
    model: 'tiny',
    promptTokens: 100,
    completionTokens: 200,
    price: { prompt: 0.5, completion: 1.5 },
    feeBasisPoints: 1000,
    servedAt: '2025-06-15T10:00:00.000Z',
    ...overrides,
  };
}

/** The receipt an honest gateway (10% fee) would sign for `served`. */
export function receiptFor(served: ServedJob, overrides: Partial<Receipt> = {}): Receipt {
  const { promptTokens, completionTokens, price } = { ...served, ...overrides };
  return {
    jobId: served.jobId,
    nodeId: 'node-1',
    model: served.model,
    promptTokens,
    completionTokens,
    price,
    ...priceJob(price, promptTokens, completionTokens, 1000),
    issuedAt: served.servedAt,
    ...overrides,
  };
}
