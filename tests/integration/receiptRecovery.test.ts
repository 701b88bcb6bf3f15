/**
 * Receipts are never lost, end to end with the real node link and ledger against the real
 * in-process gateway: a job the node served whose receipt never came (the gateway crashed
 * between accounting it and sending the receipt) stays pending, is asked for again on every
 * link, shows as a discrepancy while the gateway does not know it, and is settled with the
 * gateway's signed receipt once it does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { priceJob } from '../../common/protocol.js';
import { usageFromReceipt } from '../../gateway/accounting/receipts.js';
import { Ledger } from '../../main/engine/ledger/ledger.js';
import { NO_GATEWAY_RECORD } from '../../main/engine/ledger/reconcile.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../main/engine/link/identity.js';
import { LinkClient } from '../../main/engine/link/linkClient.js';
import { startTestGateway, type TestGateway } from '../gateway-link/support/testGateway.js';
import { servedJob } from '../support/ledgerFixtures.js';
import { nextEvent } from '../support/linkHarness.js';

const FEE = 1000;
const SPLIT = { rewards: 100, exchange: 0, mission: 0 };
let t: TestGateway;
let dataDir: string;
let identity: NodeIdentity;
let nodeId: string;
let ledger: Ledger;

beforeAll(async () => {
  t = await startTestGateway({ feeBasisPoints: FEE });
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-receipt-recovery-'));
  identity = await loadOrCreateIdentity(dataDir);
  const { code } = await t.gateway.store.createEnrollmentCode(t.nodeOrgId);
  const response = await fetch(`${t.gateway.url}/v1/node/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, publicKey: identity.publicKey, name: 'recovering' }),
  });
  expect(response.status).toBe(200);
  ({ nodeId } = (await response.json()) as { nodeId: string });
  ledger = await Ledger.open({ dataDir });
});

afterAll(async () => {
  await ledger?.close();
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A job of 9 + 3 tokens at 1/2 USD per 1M, at this gateway's fee. */
const served = (jobId: string) =>
  servedJob(jobId, {
    promptTokens: 9,
    completionTokens: 3,
    price: { prompt: 1, completion: 2 },
    feeBasisPoints: FEE,
    servedAt: new Date().toISOString(),
  });

/** A link from this node's real LinkClient, wired to its ledger as the engine wires it. */
async function link(): Promise<LinkClient> {
  const client = new LinkClient({
    gatewayURL: t.gateway.url,
    identity,
    models: [],
    hardware: { summary: 'test CPU', backend: 'cpu' },
    gatewayPublicKey: t.gateway.publicKey,
    logger: silentLogger,
    backoff: { baseMs: 1, capMs: 5 },
    receipts: {
      add: (receipt, signature) => ledger.addReceipt(receipt, signature, SPLIT),
      pending: (limit) => ledger.pendingJobIds(limit),
      unknown: (jobIds) => ledger.markUnknownAtGateway(jobIds),
    },
  });
  client.start();
  return client;
}

describe('receipt recovery', () => {
  it('settles a job whose receipt was lost once the gateway has it, after relinking', async () => {
    const lost = served('job_receipt_lost');
    const never = served('job_never_accounted');
    await ledger.recordJob(lost);
    await ledger.recordJob(never);
    const expected = priceJob(lost.price, 9, 3, FEE).creditedNanos;
    expect(ledger.balances().pending).toBeCloseTo((2 * expected) / 1e9, 12);

    // The gateway has accounted neither yet: both are unknown there, and shown as such.
    const first = await link();
    const unknown = [
      nextEvent(first, 'receipt', (e) => e.jobId === lost.jobId && e.outcome === 'unknown'),
      nextEvent(first, 'receipt', (e) => e.jobId === never.jobId && e.outcome === 'unknown'),
    ];
    await Promise.all(unknown);
    expect(
      ledger
        .summary()
        .discrepancies.map(({ jobId, detail }) => ({ jobId, detail }))
        .sort((a, b) => a.jobId.localeCompare(b.jobId)),
    ).toEqual([
      { jobId: never.jobId, detail: NO_GATEWAY_RECORD },
      { jobId: lost.jobId, detail: NO_GATEWAY_RECORD },
    ]);
    expect(ledger.balances().settled).toBe(0);
    await first.stop();

    // The gateway accounts the lost job (as it did before it crashed, without sending the
    // receipt): the row its accounting writes.
    const money = priceJob(lost.price, 9, 3, FEE);
    await t.gateway.store.recordUsage(
      usageFromReceipt(
        {
          jobId: lost.jobId,
          nodeId,
          model: 'tiny',
          promptTokens: 9,
          completionTokens: 3,
          price: lost.price,
          ...money,
          issuedAt: new Date().toISOString(),
        },
        { orgId: t.clientOrgId, apiKeyId: t.apiKeyId },
      ),
    );

    const second = await link();
    const stored = nextEvent(second, 'receipt', (e) => e.jobId === lost.jobId);
    const stillUnknown = nextEvent(
      second,
      'receipt',
      (e) => e.jobId === never.jobId && e.outcome === 'unknown',
    );
    expect(await stored).toEqual({ jobId: lost.jobId, outcome: 'stored' });
    await stillUnknown;
    await second.stop();

    expect(ledger.pendingJobIds()).toEqual([never.jobId]);
    const balances = ledger.balances();
    expect(balances.settled).toBeCloseTo(expected / 1e9, 12);
    expect(balances.pending).toBeCloseTo(expected / 1e9, 12);
    expect(ledger.summary().discrepancies.map((d) => d.jobId)).toEqual([never.jobId]);
    const csv = ledger.toCsv();
    expect(csv).toMatch(new RegExp(`,${lost.jobId},.*,settled,\\n`));
    expect(csv).toMatch(new RegExp(`,${never.jobId},.*,pending,${NO_GATEWAY_RECORD}\\n`));
  });
});
